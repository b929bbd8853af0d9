"""RetrainingPolicyRun: the program-side resource that runs a retraining policy as part of `pulumi up`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic

from datarobot_retraining.inputs.retraining_policy_run import RUN_INPUT_KEYS, RUN_OUTPUT_KEYS
from datarobot_retraining.resources.retraining_policy_run import RetrainingPolicyRunProvider
from pulumi_datarobot_retraining._utilities import refuse_import, resource_props


@dataclass
class RetrainingPolicyRunArgs:
    """The inputs of a RetrainingPolicyRun resource, for programs that build them before declaring the resource."""

    deployment_id: pulumi.Input[str]
    policy_id: pulumi.Input[str]
    triggers: pulumi.Input[Any] | None = None
    wait: pulumi.Input[bool] | None = None
    wait_timeout_seconds: pulumi.Input[float] | None = None


class RetrainingPolicyRun(pulumi.dynamic.Resource, module="datarobot", name="RetrainingPolicyRun"):
    """Runs a retraining policy on `pulumi up` (type `pulumi-python:dynamic/datarobot:RetrainingPolicyRun`).

    A run starts when the resource is created, and again whenever `triggers` changes (for example a new dataset
    version); an unchanged `triggers` starts nothing. Changing `deployment_id` or `policy_id` replaces the
    resource (a run of the new policy starts). Changing only `wait` or `wait_timeout_seconds` starts nothing.

    With `wait=True` the update blocks until the run ends (at most `wait_timeout_seconds`, default 3600, at most
    86400), and a failed run fails the update with the run's error. DataRobot runs one run of a policy at a time,
    so a start that finds the policy busy waits (within the same bound) for the run in progress to end.

    Deleting this resource does **not** undo a run: a model package, challenger or replaced champion it produced
    stays. A run still in progress is cancelled when DataRobot allows it; one already creating the challenger or
    replacing the model is left to finish.
    """

    deployment_id: pulumi.Output[str]
    """The deployment of the policy. Changing it replaces the resource."""
    policy_id: pulumi.Output[str]
    """The retraining policy to run. Changing it replaces the resource."""
    triggers: pulumi.Output[Any]
    """Arbitrary values; a new run starts whenever they change."""
    wait: pulumi.Output[bool]
    """Whether create and update wait for the run to end."""
    wait_timeout_seconds: pulumi.Output[float]
    """The most a create or update waits (for a busy policy and, with `wait`, for the run)."""
    run_id: pulumi.Output[str]
    """The run started by the last create or update that changed `triggers`."""
    status: pulumi.Output[str]
    """The run's status as the server spells it, as of the last create, update or refresh (`scheduled`, `running`,
    `succeeded`, ... on the emulator; `outcome_of(status)` says what any spelling means)."""
    start_time: pulumi.Output[str | None]
    finish_time: pulumi.Output[str | None]
    project_id: pulumi.Output[str | None]
    """The DataRobot project the run built."""
    model_package_id: pulumi.Output[str | None]
    """The model package the run produced, once it succeeded."""
    registered_model_id: pulumi.Output[str | None]
    challenger_id: pulumi.Output[str | None]
    """The challenger the run added, for policies whose action is `create_challenger`."""
    error_message: pulumi.Output[str | None]
    """Why the run failed, when it did."""
    use_case_id: pulumi.Output[str | None]
    """The use case of the run's policy, when the server reports one."""

    def __init__(
        self,
        resource_name: str,
        *,
        deployment_id: pulumi.Input[str] | None = None,
        policy_id: pulumi.Input[str] | None = None,
        triggers: pulumi.Input[Any] | None = None,
        wait: pulumi.Input[bool] | None = None,
        wait_timeout_seconds: pulumi.Input[float] | None = None,
        args: RetrainingPolicyRunArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a run of a policy. Keywords given here win over the same fields in `args`."""
        keywords = {
            "deployment_id": deployment_id,
            "policy_id": policy_id,
            "triggers": triggers,
            "wait": wait,
            "wait_timeout_seconds": wait_timeout_seconds,
        }
        props = resource_props(
            "RetrainingPolicyRun",
            resource_name,
            args,
            keywords,
            required=("deployment_id", "policy_id"),
            attributes=RUN_INPUT_KEYS + RUN_OUTPUT_KEYS,
        )
        super().__init__(
            RetrainingPolicyRunProvider(),
            resource_name,
            props,
            refuse_import("RetrainingPolicyRun", resource_name, opts),
        )
