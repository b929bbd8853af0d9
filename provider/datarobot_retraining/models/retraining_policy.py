"""Wire models of a retraining policy (reference §3.1-3.6): the bodies we send, the policy we read."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from .common import IntOrFloat, NamedRef, RequestModel, ResponseModel, ScheduleValues
from .enums import (
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
from .run import RetrainingPolicyRun

__all__ = [
    "AutopilotOptions",
    "AutopilotOptionsState",
    "Periodicity",
    "PeriodicityState",
    "ProjectOptions",
    "ProjectOptionsState",
    "RetrainingPolicy",
    "RetrainingPolicyCreate",
    "RetrainingPolicyUpdate",
    "Schedule",
    "ScheduleState",
    "TimeSeriesOptions",
    "TimeSeriesOptionsState",
    "Trigger",
    "TriggerState",
]


def _none_trigger(value: Any) -> Any:
    # Manual-only is JSON null, but the Terraform provider sends (and some servers echo) the literal "None".
    return None if value == "None" else value


# ----------------------------------------------------------------------------------------------------------
# Request side: strict (extra="forbid"); enum fields take the enum or its string value.
# ----------------------------------------------------------------------------------------------------------


class Schedule(RequestModel):
    """When a schedule trigger fires (UTC): each field a list of ints or names; `["*"]` means every."""

    minute: list[int | str] | None = None
    hour: list[int | str] | None = None
    day_of_month: list[int | str] | None = None
    month: list[int | str] | None = None
    day_of_week: list[int | str] | None = None


class Trigger(RequestModel):
    """What starts a run; `type=None` means manual only."""

    type: Annotated[TriggerType | None, BeforeValidator(_none_trigger)] = None
    schedule: Schedule | None = None
    status_declines_to_warning: bool | None = None
    status_declines_to_failing: bool | None = None
    status_still_in_decline: bool | None = None
    min_interval_between_runs: str | None = None
    """ISO-8601 duration such as `P1D` or `PT12H`."""
    custom_job_id: str | None = None


class AutopilotOptions(RequestModel):
    """Autopilot settings of the retraining project."""

    mode: AutopilotMode | None = None
    blend_best_models: bool | None = None
    run_leakage_removed_feature_list: bool | None = None
    scoring_code_only: bool | None = None
    shap_only_mode: bool | None = None


class ProjectOptions(RequestModel):
    """Partitioning and metric of the retraining project."""

    cv_method: CVMethod | None = None
    validation_type: ValidationType | None = None
    metric: Metric | None = None
    holdout_pct: int | float | None = None
    validation_pct: int | float | None = None
    reps: int | None = None


class Periodicity(RequestModel):
    """One periodicity of a time series."""

    time_steps: int
    time_unit: TimeUnit


class TimeSeriesOptions(RequestModel):
    """Time-series options; only meaningful for time-series deployments."""

    calendar_id: str | None = None
    differencing_method: DifferencingMethod | None = None
    exponentially_weighted_moving_alpha: float | None = None
    periodicities: list[Periodicity] | None = None
    treat_as_exponential: TreatAsExponential | None = None


class RetrainingPolicyUpdate(RequestModel):
    """The body of `PATCH .../retrainingPolicies/{id}/`; everything optional.

    The server merges nested objects key by key, so send a full nested object with explicit `None`s to get an
    exact state.
    """

    name: str | None = None
    description: str | None = None
    action: Action | None = None
    autopilot_options: AutopilotOptions | None = None
    feature_list_strategy: FeatureListStrategy | None = None
    model_selection_strategy: ModelSelectionStrategy | None = None
    project_options: ProjectOptions | None = None
    project_options_strategy: ProjectOptionsStrategy | None = None
    time_series_options: TimeSeriesOptions | None = None
    trigger: Trigger | None = None
    use_case_id: str | None = None


class RetrainingPolicyCreate(RetrainingPolicyUpdate):
    """The body of `POST .../retrainingPolicies/`: the update's keys with `name` required; unset fields get server
    defaults."""

    name: str


# ----------------------------------------------------------------------------------------------------------
# Response side: tolerant (extra keys kept, enum-like values as plain `str`, missing keys → None).
# ----------------------------------------------------------------------------------------------------------


class ScheduleState(ResponseModel):
    """A schedule as the server echoes it; values may be ints or strings."""

    minute: ScheduleValues = None
    hour: ScheduleValues = None
    day_of_month: ScheduleValues = None
    month: ScheduleValues = None
    day_of_week: ScheduleValues = None


class TriggerState(ResponseModel):
    """A trigger as the server echoes it; `type` is `None` for manual only (also when sent as `"None"`)."""

    type: Annotated[str | None, BeforeValidator(_none_trigger)] = None
    schedule: ScheduleState | None = None
    status_declines_to_warning: bool | None = None
    status_declines_to_failing: bool | None = None
    status_still_in_decline: bool | None = None
    min_interval_between_runs: str | None = None
    custom_job_id: str | None = None


class AutopilotOptionsState(ResponseModel):
    """Autopilot options as the server echoes them."""

    mode: str | None = None
    blend_best_models: bool | None = None
    run_leakage_removed_feature_list: bool | None = None
    scoring_code_only: bool | None = None
    shap_only_mode: bool | None = None


class ProjectOptionsState(ResponseModel):
    """Project options as the server echoes them; integral numbers are ints (`reps` may arrive as `5.0`)."""

    cv_method: str | None = None
    validation_type: str | None = None
    metric: str | None = None
    holdout_pct: IntOrFloat | None = None
    validation_pct: IntOrFloat | None = None
    reps: IntOrFloat | None = None


class PeriodicityState(ResponseModel):
    """One periodicity as the server echoes it."""

    time_steps: IntOrFloat | None = None
    time_unit: str | None = None


class TimeSeriesOptionsState(ResponseModel):
    """Time-series options as the server echoes them (an object of nulls when never set)."""

    calendar_id: str | None = None
    differencing_method: str | None = None
    exponentially_weighted_moving_alpha: float | None = None
    periodicities: list[PeriodicityState] | None = None
    treat_as_exponential: str | None = None


class RetrainingPolicy(ResponseModel):
    """A retraining policy as the server reports it (no deployment id, no timestamps)."""

    id: str
    name: str
    description: str | None = None
    action: str | None = None
    autopilot_options: AutopilotOptionsState | None = None
    feature_list_strategy: str | None = None
    model_selection_strategy: str | None = None
    project_options: ProjectOptionsState | None = None
    project_options_strategy: str | None = None
    time_series_options: TimeSeriesOptionsState | None = None
    trigger: TriggerState | None = None
    latest_run: RetrainingPolicyRun | None = None
    custom_job: dict[str, Any] | None = None
    use_case: NamedRef | None = None
