"""Desired state of a run-on-apply resource: validation for `check`, defaults, and the keys that decide a diff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator

from datarobot_retraining.inputs._validation import (
    PROVIDER_KEY,
    Failure,
    Id,
    InputModel,
    non_finite_paths,
    restore_unknowns,
    split_unknowns,
    validation_failures,
)

#: How long `wait=True` (and a start that finds the policy busy) waits by default: one hour.
DEFAULT_WAIT_TIMEOUT_SECONDS = 3600
#: The most a single create or update may block: one day. The engine has four provider workers; a longer block
#: would hold one hostage, and a retraining that takes longer is better followed with `datarobot-retraining runs watch`.
MAX_WAIT_TIMEOUT_SECONDS = 86_400

#: Changing one of these starts over on another policy: the resource is replaced.
REPLACING_KEYS: tuple[str, ...] = ("deployment_id", "policy_id")
#: Every input, in the order they are documented.
RUN_INPUT_KEYS: tuple[str, ...] = ("deployment_id", "policy_id", "triggers", "wait", "wait_timeout_seconds")
#: Outputs the provider computes; a caller may hand them to `check` as `None` and they are ignored there.
RUN_OUTPUT_KEYS: tuple[str, ...] = (
    "run_id",
    "status",
    "start_time",
    "finish_time",
    "project_id",
    "model_package_id",
    "registered_model_id",
    "challenger_id",
    "error_message",
    "use_case_id",
)


class RetrainingPolicyRunInputs(InputModel):
    """Which policy to run, what makes it run again, and whether `pulumi up` waits for the run to end."""

    deployment_id: Id | None = None
    policy_id: Id | None = None
    triggers: Any = None
    """Arbitrary values (a dict, a list, a string...); any change starts a new run."""
    wait: bool = False
    wait_timeout_seconds: Annotated[float, Field(gt=0, le=MAX_WAIT_TIMEOUT_SECONDS)] = DEFAULT_WAIT_TIMEOUT_SECONDS

    @field_validator("triggers")
    @classmethod
    def _finite_numbers_only(cls, value: Any) -> Any:
        # Any change of triggers starts a run, and NaN differs from itself: a NaN would start one on every `up`.
        found = non_finite_paths(value, "triggers")
        if found:
            shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
            raise ValueError(f"triggers must hold only finite numbers; NaN or an infinity is at {shown}")
        return value


def check_policy_run(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize the inputs, filling the defaults; unknown values pass through untouched and unjudged.

    The defaults are written into the result so that the state says what the provider will do.
    """
    props = {k: v for k, v in news.items() if k != PROVIDER_KEY and not (k in RUN_OUTPUT_KEYS and v is None)}
    known, unknown_paths = split_unknowns(props)
    # A root that is unknown as a whole (e.g. a deployment id created in the same preview) gets no default and no
    # judgement; a root with unknowns inside (triggers) keeps its known part.
    unknown_roots = {path[0] for path in unknown_paths if len(path) == 1}
    try:
        model = RetrainingPolicyRunInputs.model_validate(known)
    except ValidationError as error:
        return dict(news), validation_failures(error, root="RetrainingPolicyRun")
    normalized = model.model_dump(mode="python", exclude={"triggers"})
    if "triggers" in known:
        normalized["triggers"] = known["triggers"]
    for root in unknown_roots:
        normalized.pop(root, None)
    timeout = normalized.get("wait_timeout_seconds")
    if isinstance(timeout, float) and timeout.is_integer():
        normalized["wait_timeout_seconds"] = int(timeout)
    failures = [
        Failure(key, f"{key} is required")
        for key in REPLACING_KEYS
        if normalized.get(key) is None and key not in unknown_roots
    ]
    result = restore_unknowns(normalized, unknown_paths)
    if PROVIDER_KEY in news:
        result[PROVIDER_KEY] = news[PROVIDER_KEY]
    return result, failures
