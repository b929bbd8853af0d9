"""RetrainingPolicy: the program-side resource for one retraining policy, with its Args types and output shapes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from typing import Any, TypedDict

import pulumi
import pulumi.dynamic

from datarobot_retraining.models.enums import (
    Action,
    AutopilotMode,
    CVMethod,
    DifferencingMethod,
    FeatureListStrategy,
    Metric,
    ModelSelectionStrategy,
    ProjectOptionsStrategy,
    TimeUnit,
    TreatAsExponential,
    TriggerType,
    ValidationType,
)
from datarobot_retraining.resources.retraining_policy import RetrainingPolicyProvider
from datarobot_retraining.schedule import expand_cron, schedule_key_hint
from pulumi_datarobot_retraining._utilities import merge_id, refuse_import, resource_props

ScheduleValue = int | str


# ---------------------------------------------------------------------------------------------------------------
# Inputs: each Args class also has a TypedDict twin, so a plain dict with the same snake_case keys type-checks.


class ScheduleError(pulumi.RunError, ValueError):
    """A schedule that cannot be built as written. Under the engine its message shows alone, without a traceback."""


@dataclass
class ScheduleArgs:
    """When a trigger fires, in UTC. Each field is a list; a field left out means `["*"]` (every).

    `minute` 0-59, `hour` 0-23, `day_of_month` 1-31, `month` 1-12 or names (`"jan"`, `"October"`), `day_of_week`
    0-6 with Sunday = 0 or names (`"sun"`, `"Monday"`). When both day fields are restricted, they add up.
    `ScheduleArgs.from_cron("0 6 * * 1-5")` builds the lists from a cron line.
    """

    minute: pulumi.Input[list[pulumi.Input[ScheduleValue]]] | None = None
    hour: pulumi.Input[list[pulumi.Input[ScheduleValue]]] | None = None
    day_of_month: pulumi.Input[list[pulumi.Input[ScheduleValue]]] | None = None
    month: pulumi.Input[list[pulumi.Input[ScheduleValue]]] | None = None
    day_of_week: pulumi.Input[list[pulumi.Input[ScheduleValue]]] | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> ScheduleArgs:
        # Runs before the dataclass __init__, whose TypeError for `minutes=` would not say what to write instead.
        # (Type checkers still check the keywords against __init__.)
        known = [f.name for f in fields(cls)]
        wrong = [key for key in kwargs if key not in known]
        if wrong:
            raise ScheduleError("; ".join(_misspelled_schedule_key(key, known) for key in wrong) + ".")
        return super().__new__(cls)

    @classmethod
    def from_cron(cls, expression: str) -> ScheduleArgs:
        """The schedule of a five-field cron line, in UTC: `ScheduleArgs.from_cron("0 6 * * 1-5")` is weekdays at
        06:00. Ranges, steps, lists and names are expanded into the five lists (`day_of_week=[1, 2, 3, 4, 5]`);
        a field that is wrong raises ScheduleError naming it."""
        try:
            lists = expand_cron(expression)
        except ValueError as error:
            raise ScheduleError(f"ScheduleArgs.from_cron({expression!r}): {error}.") from None
        return cls(**lists)  # type: ignore[arg-type]


def _misspelled_schedule_key(key: str, known: list[str]) -> str:
    hint = schedule_key_hint(key)
    if hint is None:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"the closest field is {close[0]}" if close else f"its fields are {', '.join(known)}"
    return f"ScheduleArgs has no field {key!r}: {hint}"


class ScheduleArgsDict(TypedDict, total=False):
    minute: pulumi.Input[list[pulumi.Input[ScheduleValue]]]
    hour: pulumi.Input[list[pulumi.Input[ScheduleValue]]]
    day_of_month: pulumi.Input[list[pulumi.Input[ScheduleValue]]]
    month: pulumi.Input[list[pulumi.Input[ScheduleValue]]]
    day_of_week: pulumi.Input[list[pulumi.Input[ScheduleValue]]]


@dataclass
class TriggerArgs:
    """What starts a run. `type=None` (or no trigger at all) means manual only.

    `schedule` is required for `type="schedule"`; decline triggers may carry one too (the server stores it).
    The `status_*` flags choose which health changes fire a decline trigger; `min_interval_between_runs` is an
    ISO-8601 duration such as `"P1D"`; `custom_job_id` goes with `type="custom_job"`.
    """

    type: pulumi.Input[TriggerType | str] | None = None
    schedule: pulumi.Input[ScheduleArgs | ScheduleArgsDict] | None = None
    status_declines_to_warning: pulumi.Input[bool] | None = None
    status_declines_to_failing: pulumi.Input[bool] | None = None
    status_still_in_decline: pulumi.Input[bool] | None = None
    min_interval_between_runs: pulumi.Input[str] | None = None
    custom_job_id: pulumi.Input[str] | None = None


class TriggerArgsDict(TypedDict, total=False):
    type: pulumi.Input[TriggerType | str]
    schedule: pulumi.Input[ScheduleArgs | ScheduleArgsDict]
    status_declines_to_warning: pulumi.Input[bool]
    status_declines_to_failing: pulumi.Input[bool]
    status_still_in_decline: pulumi.Input[bool]
    min_interval_between_runs: pulumi.Input[str]
    custom_job_id: pulumi.Input[str]


@dataclass
class AutopilotOptionsArgs:
    """Autopilot in the retraining project. `blend_best_models` cannot be combined with `shap_only_mode`."""

    mode: pulumi.Input[AutopilotMode | str] | None = None
    blend_best_models: pulumi.Input[bool] | None = None
    run_leakage_removed_feature_list: pulumi.Input[bool] | None = None
    scoring_code_only: pulumi.Input[bool] | None = None
    shap_only_mode: pulumi.Input[bool] | None = None


class AutopilotOptionsArgsDict(TypedDict, total=False):
    mode: pulumi.Input[AutopilotMode | str]
    blend_best_models: pulumi.Input[bool]
    run_leakage_removed_feature_list: pulumi.Input[bool]
    scoring_code_only: pulumi.Input[bool]
    shap_only_mode: pulumi.Input[bool]


@dataclass
class ProjectOptionsArgs:
    """Partitioning and metric: `holdout_pct` 0-98, `validation_pct` 1-99, `reps` (CV folds) 2-50."""

    cv_method: pulumi.Input[CVMethod | str] | None = None
    validation_type: pulumi.Input[ValidationType | str] | None = None
    metric: pulumi.Input[Metric | str] | None = None
    holdout_pct: pulumi.Input[float] | None = None
    validation_pct: pulumi.Input[float] | None = None
    reps: pulumi.Input[int] | None = None


class ProjectOptionsArgsDict(TypedDict, total=False):
    cv_method: pulumi.Input[CVMethod | str]
    validation_type: pulumi.Input[ValidationType | str]
    metric: pulumi.Input[Metric | str]
    holdout_pct: pulumi.Input[float]
    validation_pct: pulumi.Input[float]
    reps: pulumi.Input[int]


@dataclass
class PeriodicityArgs:
    """One periodicity of a time series: `time_steps` (≥ 0) of `time_unit` (e.g. 7 of "DAY")."""

    time_steps: pulumi.Input[int]
    time_unit: pulumi.Input[TimeUnit | str]


class PeriodicityArgsDict(TypedDict):
    time_steps: pulumi.Input[int]
    time_unit: pulumi.Input[TimeUnit | str]


@dataclass
class TimeSeriesOptionsArgs:
    """Time-series options; `differencing_method="seasonal"` needs periodicities."""

    calendar_id: pulumi.Input[str] | None = None
    differencing_method: pulumi.Input[DifferencingMethod | str] | None = None
    exponentially_weighted_moving_alpha: pulumi.Input[float] | None = None
    periodicities: pulumi.Input[list[pulumi.Input[PeriodicityArgs | PeriodicityArgsDict]]] | None = None
    treat_as_exponential: pulumi.Input[TreatAsExponential | str] | None = None


class TimeSeriesOptionsArgsDict(TypedDict, total=False):
    calendar_id: pulumi.Input[str]
    differencing_method: pulumi.Input[DifferencingMethod | str]
    exponentially_weighted_moving_alpha: pulumi.Input[float]
    periodicities: pulumi.Input[list[pulumi.Input[PeriodicityArgs | PeriodicityArgsDict]]]
    treat_as_exponential: pulumi.Input[TreatAsExponential | str]


@dataclass
class RetrainingPolicyArgs:
    """Every input of a RetrainingPolicy, for templates that build policies before declaring them."""

    deployment_id: pulumi.Input[str] | None = None
    name: pulumi.Input[str] | None = None
    description: pulumi.Input[str] | None = None
    action: pulumi.Input[Action | str] | None = None
    trigger: pulumi.Input[TriggerArgs | TriggerArgsDict] | None = None
    model_selection_strategy: pulumi.Input[ModelSelectionStrategy | str] | None = None
    feature_list_strategy: pulumi.Input[FeatureListStrategy | str] | None = None
    project_options_strategy: pulumi.Input[ProjectOptionsStrategy | str] | None = None
    autopilot_options: pulumi.Input[AutopilotOptionsArgs | AutopilotOptionsArgsDict] | None = None
    project_options: pulumi.Input[ProjectOptionsArgs | ProjectOptionsArgsDict] | None = None
    time_series_options: pulumi.Input[TimeSeriesOptionsArgs | TimeSeriesOptionsArgsDict] | None = None
    use_case_id: pulumi.Input[str] | None = None
    adopt_existing: pulumi.Input[bool] | None = None


# ---------------------------------------------------------------------------------------------------------------
# Output shapes: the keys of the dict outputs (the server's state, snake_case). The attributes are annotated as
# plain dicts because Pulumi converts outputs by the annotation and only accepts dicts or @output_type classes;
# `typing.cast(LatestRun, value)` inside an `apply` gives an editor the keys.


class ScheduleState(TypedDict):
    minute: list[ScheduleValue]
    hour: list[ScheduleValue]
    day_of_month: list[ScheduleValue]
    month: list[ScheduleValue]
    day_of_week: list[ScheduleValue]


class TriggerState(TypedDict):
    type: str | None
    schedule: ScheduleState | None
    status_declines_to_warning: bool | None
    status_declines_to_failing: bool | None
    status_still_in_decline: bool | None
    min_interval_between_runs: str | None
    custom_job_id: str | None


class AutopilotOptionsState(TypedDict):
    mode: str | None
    blend_best_models: bool | None
    run_leakage_removed_feature_list: bool | None
    scoring_code_only: bool | None
    shap_only_mode: bool | None


class ProjectOptionsState(TypedDict):
    cv_method: str | None
    validation_type: str | None
    metric: str | None
    holdout_pct: float | None
    validation_pct: float | None
    reps: int | None


class PeriodicityState(TypedDict):
    time_steps: int
    time_unit: str


class TimeSeriesOptionsState(TypedDict):
    calendar_id: str | None
    differencing_method: str | None
    exponentially_weighted_moving_alpha: float | None
    periodicities: list[PeriodicityState] | None
    treat_as_exponential: str | None


class LatestRun(TypedDict):
    """The policy's newest run when it was last read (create, update or refresh)."""

    id: str
    status: str
    start_time: str | None
    finish_time: str | None
    project_id: str | None
    model_package_id: str | None
    challenger_id: str | None
    registered_model_id: str | None
    error_message: str | None
    use_case_id: str | None


_INPUTS = (
    "deployment_id",
    "name",
    "description",
    "action",
    "trigger",
    "model_selection_strategy",
    "feature_list_strategy",
    "project_options_strategy",
    "autopilot_options",
    "project_options",
    "time_series_options",
    "use_case_id",
    "adopt_existing",
)
_OUTPUT_ONLY = ("policy_id", "use_case_name", "latest_run", "next_scheduled_runs", "managed_fields", "provenance")


class RetrainingPolicy(pulumi.dynamic.Resource, module="datarobot", name="RetrainingPolicy"):
    """One retraining policy of a deployment (type `pulumi-python:dynamic/datarobot:RetrainingPolicy`).

    Only `deployment_id` replaces the policy; every other change is an in-place update. Fields left out are not
    managed: the server fills them and they never show as a diff. A field removed from the program returns to the
    server's default. `adopt_existing=True` takes over a policy of the same name instead of creating a duplicate
    (the way to bring hand-made policies under management: `pulumi import` does not work for dynamic resources);
    without it, a create finding a policy of that name fails and says so.
    """

    policy_id: pulumi.Output[str]
    """The DataRobot id of the policy (also the resource id)."""
    deployment_id: pulumi.Output[str]
    name: pulumi.Output[str]
    """The policy's name in DataRobot (defaults to the resource name)."""
    description: pulumi.Output[str | None]
    action: pulumi.Output[str]
    trigger: pulumi.Output[dict[str, Any]]
    model_selection_strategy: pulumi.Output[str]
    feature_list_strategy: pulumi.Output[str]
    project_options_strategy: pulumi.Output[str]
    autopilot_options: pulumi.Output[dict[str, Any]]
    project_options: pulumi.Output[dict[str, Any]]
    time_series_options: pulumi.Output[dict[str, Any]]
    use_case_id: pulumi.Output[str | None]
    use_case_name: pulumi.Output[str | None]
    adopt_existing: pulumi.Output[bool]
    latest_run: pulumi.Output[dict[str, Any] | None]
    """The newest run as of the last create, update or refresh (`pulumi refresh` updates it)."""
    next_scheduled_runs: pulumi.Output[list[str]]
    """The next three UTC times (ISO 8601) a schedule trigger fires, as of the last create, update or refresh."""
    managed_fields: pulumi.Output[list[str]]
    """The fields this program sets (dotted paths); the others are the server's."""
    provenance: pulumi.Output[str | None]
    """`created` (this stack created the policy) or `adopted` (taken over with `adopt_existing=True`); destroy
    deletes only such a policy."""

    def __init__(
        self,
        resource_name: str,
        *,
        deployment_id: pulumi.Input[str] | None = None,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        action: pulumi.Input[Action | str] | None = None,
        trigger: pulumi.Input[TriggerArgs | TriggerArgsDict] | None = None,
        model_selection_strategy: pulumi.Input[ModelSelectionStrategy | str] | None = None,
        feature_list_strategy: pulumi.Input[FeatureListStrategy | str] | None = None,
        project_options_strategy: pulumi.Input[ProjectOptionsStrategy | str] | None = None,
        autopilot_options: pulumi.Input[AutopilotOptionsArgs | AutopilotOptionsArgsDict] | None = None,
        project_options: pulumi.Input[ProjectOptionsArgs | ProjectOptionsArgsDict] | None = None,
        time_series_options: pulumi.Input[TimeSeriesOptionsArgs | TimeSeriesOptionsArgsDict] | None = None,
        use_case_id: pulumi.Input[str] | None = None,
        adopt_existing: pulumi.Input[bool] | None = None,
        args: RetrainingPolicyArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a retraining policy. Keywords given here win over the same fields in `args`."""
        keywords = {
            "deployment_id": deployment_id,
            "name": name,
            "description": description,
            "action": action,
            "trigger": trigger,
            "model_selection_strategy": model_selection_strategy,
            "feature_list_strategy": feature_list_strategy,
            "project_options_strategy": project_options_strategy,
            "autopilot_options": autopilot_options,
            "project_options": project_options,
            "time_series_options": time_series_options,
            "use_case_id": use_case_id,
            "adopt_existing": adopt_existing,
        }
        props = resource_props(
            "RetrainingPolicy",
            resource_name,
            args,
            keywords,
            required=("deployment_id",),
            attributes=_INPUTS + _OUTPUT_ONLY,
            defaults={"name": resource_name},
        )
        super().__init__(
            RetrainingPolicyProvider(), resource_name, props, refuse_import("RetrainingPolicy", resource_name, opts)
        )

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        deployment_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> RetrainingPolicy:
        """Reference the existing policy `id` of deployment `deployment_id` read-only (nothing is changed)."""
        resource = cls.__new__(cls)
        props: dict[str, Any] = {**dict.fromkeys(_INPUTS + _OUTPUT_ONLY), "deployment_id": deployment_id}
        pulumi.dynamic.Resource.__init__(resource, RetrainingPolicyProvider(), resource_name, props, merge_id(opts, id))
        return resource
