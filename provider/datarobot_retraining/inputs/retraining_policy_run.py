"""Desired state of a run-on-apply resource, declared once: its fields, defaults, replacing keys; `check`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from datarobot_retraining.inputs._check import check_inputs
from datarobot_retraining.inputs._shape import FilledByCheck, ReplacesOnChange, Required
from datarobot_retraining.inputs._validation import Failure, Id, InputModel, non_finite_paths
from datarobot_retraining.models.common import int_if_integral

#: How long `wait=True` (and a start that finds the policy busy) waits by default: one hour.
DEFAULT_WAIT_TIMEOUT_SECONDS = 3600
#: The most a single create or update may block: one day. The engine has four provider workers; a longer block
#: would hold one hostage, and a retraining that takes longer is better followed with `datarobot-retraining runs watch`.
MAX_WAIT_TIMEOUT_SECONDS = 86_400


class RetrainingPolicyRunInputs(InputModel):
    """Which policy to run, what makes it run again, and whether `pulumi up` waits for the run to end."""

    deployment_id: Annotated[Id | None, Required(), ReplacesOnChange()] = None
    """The deployment of the policy. Changing it replaces the resource."""
    policy_id: Annotated[Id | None, Required(), ReplacesOnChange()] = None
    """The retraining policy to run. Changing it replaces the resource."""
    triggers: Any = None
    """Arbitrary values; a new run starts whenever they change."""
    wait: Annotated[bool, FilledByCheck()] = False
    """Whether create and update wait for the run to end."""
    # An integral timeout stays an int (3600, not 3600.0), as the state always showed it.
    wait_timeout_seconds: Annotated[
        float, Field(gt=0, le=MAX_WAIT_TIMEOUT_SECONDS), AfterValidator(int_if_integral), FilledByCheck()
    ] = DEFAULT_WAIT_TIMEOUT_SECONDS
    """The most a create or update waits (for a busy policy and, with `wait`, for the run)."""

    @field_validator("triggers")
    @classmethod
    def _finite_numbers_only(cls, value: Any) -> Any:
        # Any change of triggers starts a run, and NaN differs from itself: a NaN would start one on every `up`.
        found = non_finite_paths(value, "triggers")
        if found:
            shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
            raise ValueError(f"triggers must hold only finite numbers; NaN or an infinity is at {shown}")
        return value


class RetrainingPolicyRunOutputs(BaseModel):
    """What the provider reports beyond the inputs: the run the last create or update started, as last read."""

    run_id: str
    """The run started by the last create or update that changed `triggers`."""
    status: str
    """The run's status as the server spells it, as of the last read; `outcome_of(status)` says what it means."""
    start_time: str | None
    finish_time: str | None
    project_id: str | None
    """The DataRobot project the run built."""
    model_package_id: str | None
    """The model package the run produced, once it succeeded."""
    registered_model_id: str | None
    challenger_id: str | None
    """The challenger the run added, for policies whose action is `create_challenger`."""
    error_message: str | None
    """Why the run failed, when it did."""
    use_case_id: str | None
    """The use case of the run's policy, when the server reports one."""

    model_config = ConfigDict(use_attribute_docstrings=True)


#: Every input, in the order they are documented.
RUN_INPUT_KEYS: tuple[str, ...] = tuple(RetrainingPolicyRunInputs.model_fields)
#: Outputs the provider computes; a caller may hand them to `check` as `None` and they are ignored there.
RUN_OUTPUT_KEYS: tuple[str, ...] = tuple(RetrainingPolicyRunOutputs.model_fields)


def check_policy_run(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize the inputs, filling the defaults (the one check path: `inputs._check`).

    The defaults are written into the result (`FilledByCheck`) so that the state says what the provider will do.
    """
    return check_inputs(
        news, RetrainingPolicyRunInputs, root="RetrainingPolicyRun", outputs=RetrainingPolicyRunOutputs.model_fields
    )
