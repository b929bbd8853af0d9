"""What the generator writes per resource beyond its fields: names, docs, and which file; the fields are the models'."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from datarobot_retraining.inputs._validation import InputModel
from datarobot_retraining.inputs.retraining_policy import RetrainingPolicyInputs, RetrainingPolicyOutputs
from datarobot_retraining.inputs.retraining_policy_run import RetrainingPolicyRunInputs, RetrainingPolicyRunOutputs
from datarobot_retraining.inputs.retraining_settings import RetrainingSettingsInputs, RetrainingSettingsOutputs


@dataclass(frozen=True)
class ResourceSpec:
    """One SDK module: its resource class, Args, and (for nested inputs) the Args/ArgsDict/State of each object."""

    sdk_path: str
    module_doc: str
    name: str
    provider_module: str
    inputs: type[InputModel]
    outputs: type[BaseModel]
    doc: str
    args_doc: str
    init_doc: str
    #: Inputs the resource's Args class requires (the resource itself requires the `required` ones at declaration).
    args_required: tuple[str, ...] = ()
    #: Inputs a declaration must give (a TypeError at declaration, not a failure at apply).
    required: tuple[str, ...] = ("deployment_id",)
    #: Inputs defaulted to the resource name.
    named_after_resource: tuple[str, ...] = ()
    #: `get`: its parameters after (resource_name, id), and what it knows of the inputs (input → expression).
    get_params: tuple[str, ...] | None = None
    get_known: dict[str, str] = field(default_factory=dict)
    get_doc: str = ""
    #: Hand-written bases (from the SDK's `_extras`) of a nested object's Args, by Inputs class name.
    args_bases: dict[str, str] = field(default_factory=dict)
    #: Output shapes re-exported from `_extras` (hand-written).
    extras_exported: tuple[str, ...] = ()


@dataclass(frozen=True)
class WireSpec:
    """One wire-model module: the strict request bodies (and, for a policy, the tolerant answer) of an Inputs model."""

    path: str
    module_doc: str
    inputs: type[InputModel]
    update_name: str
    update_doc: str
    create_name: str | None = None
    create_doc: str = ""
    #: The answer: its class name, docstring, and hand-written base (in `models/`) holding what only the answer has.
    answer_name: str | None = None
    answer_doc: str = ""
    answer_base: tuple[str, str] | None = None  # (module, class)


RESOURCES: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        sdk_path="sdk/pulumi_datarobot_retraining/retraining_settings.py",
        module_doc="RetrainingSettings: the program-side resource for a deployment's retraining dataset, environment, "
        "user.",
        name="RetrainingSettings",
        provider_module="datarobot_retraining.resources.retraining_settings",
        inputs=RetrainingSettingsInputs,
        outputs=RetrainingSettingsOutputs,
        doc="""The retraining settings of one deployment (type `pulumi-python:dynamic/datarobot:RetrainingSettings`).

    Policies need them first: declare the settings and give each policy `depends_on=[settings]`. Deleting this
    resource clears the values it set; use `pulumi.ResourceOptions(retain_on_delete=True)` to keep them.
    """,
        args_doc="The inputs of a RetrainingSettings resource, for programs that build them before declaring the "
        "resource.",
        init_doc="""Declare a deployment's retraining settings. Keywords given here win over the same fields in `args`.

        A value left out is not managed: the server keeps whatever it holds. A value removed from the program
        after it was set is cleared.
        """,
        args_required=("deployment_id",),
        get_params=(),
        get_known={"deployment_id": "id"},
        get_doc="Reference the existing retraining settings of deployment `id` read-only (nothing is changed).",
    ),
    ResourceSpec(
        sdk_path="sdk/pulumi_datarobot_retraining/retraining_policy.py",
        module_doc="RetrainingPolicy: the program-side resource for one retraining policy, with its Args types and "
        "output shapes.",
        name="RetrainingPolicy",
        provider_module="datarobot_retraining.resources.retraining_policy",
        inputs=RetrainingPolicyInputs,
        outputs=RetrainingPolicyOutputs,
        doc="""One retraining policy of a deployment (type `pulumi-python:dynamic/datarobot:RetrainingPolicy`).

    Only `deployment_id` replaces the policy; every other change is an in-place update. Fields left out are not
    managed: the server fills them and they never show as a diff. A field removed from the program returns to the
    server's default. `adopt_existing=True` takes over a policy of the same name instead of creating a duplicate
    (the way to bring hand-made policies under management: `pulumi import` does not work for dynamic resources);
    without it, a create finding a policy of that name fails and says so.
    """,
        args_doc="Every input of a RetrainingPolicy, for templates that build policies before declaring them.",
        init_doc="Declare a retraining policy. Keywords given here win over the same fields in `args`.",
        named_after_resource=("name",),
        get_params=("deployment_id",),
        get_known={"deployment_id": "deployment_id"},
        get_doc="Reference the existing policy `id` of deployment `deployment_id` read-only (nothing is changed).",
        args_bases={"ScheduleInputs": "ScheduleHelpers"},
        extras_exported=("LatestRun", "ScheduleError", "ScheduleValue"),
    ),
    ResourceSpec(
        sdk_path="sdk/pulumi_datarobot_retraining/retraining_policy_run.py",
        module_doc="RetrainingPolicyRun: the program-side resource that runs a retraining policy as part of "
        "`pulumi up`.",
        name="RetrainingPolicyRun",
        provider_module="datarobot_retraining.resources.retraining_policy_run",
        inputs=RetrainingPolicyRunInputs,
        outputs=RetrainingPolicyRunOutputs,
        doc="""Runs a retraining policy on `pulumi up` (type `pulumi-python:dynamic/datarobot:RetrainingPolicyRun`).

    A run starts when the resource is created, and again whenever `triggers` changes (for example a new dataset
    version); an unchanged `triggers` starts nothing. Changing `deployment_id` or `policy_id` replaces the
    resource (a run of the new policy starts). Changing only `wait` or `wait_timeout_seconds` starts nothing.

    With `wait=True` the update blocks until the run ends (at most `wait_timeout_seconds`, default 3600, at most
    86400), and a failed run fails the update with the run's error. DataRobot runs one run of a policy at a time,
    so a start that finds the policy busy waits (within the same bound) for the run in progress to end.

    Deleting this resource does **not** undo a run: a model package, challenger or replaced champion it produced
    stays. A run still in progress is cancelled when DataRobot allows it; one already creating the challenger or
    replacing the model is left to finish.
    """,
        args_doc="The inputs of a RetrainingPolicyRun resource, for programs that build them before declaring the "
        "resource.",
        init_doc="Declare a run of a policy. Keywords given here win over the same fields in `args`.",
        args_required=("deployment_id", "policy_id"),
        required=("deployment_id", "policy_id"),
    ),
)

WIRE = WireSpec(
    path="provider/datarobot_retraining/models/retraining_policy.py",
    module_doc="Wire models of a retraining policy (reference §3.1-3.6): the bodies we send, the policy we read.",
    inputs=RetrainingPolicyInputs,
    update_name="RetrainingPolicyUpdate",
    update_doc="""The body of `PATCH .../retrainingPolicies/{id}/`; everything optional.

    The server merges nested objects key by key, so send a full nested object with explicit `None`s to get an
    exact state.
    """,
    create_name="RetrainingPolicyCreate",
    create_doc="""The body of `POST .../retrainingPolicies/`: the update's keys with `name` required; unset fields get
    server defaults.""",
    answer_name="RetrainingPolicy",
    answer_doc="A retraining policy as the server reports it (no deployment id, no timestamps).",
    answer_base=(".policy_answer", "PolicyAnswer"),
)

SETTINGS_WIRE = WireSpec(
    path="provider/datarobot_retraining/models/retraining_settings_update.py",
    module_doc="Wire model of the retraining settings PATCH (§3.8): the write shape (ids); the read shape is "
    "hand-written.",
    inputs=RetrainingSettingsInputs,
    update_name="RetrainingSettingsUpdate",
    update_doc="The PATCH body: only the fields you set are sent; set one to `None` to clear it on the server.",
)
