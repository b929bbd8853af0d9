"""Desired state of a retraining policy: validation for `check`, its leaf paths, and the server's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from datarobot_retraining.inputs._validation import (
    PROVIDER_KEY,
    Failure,
    Id,
    InputModel,
    as_int,
    get_path,
    is_iso8601_duration,
    restore_unknowns,
    split_unknowns,
    validation_failures,
)
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
from datarobot_retraining.schedule import SCHEDULE_FIELDS, normalize_value, schedule_key_hint

NAME_MAX_LENGTH = 512
DESCRIPTION_MAX_LENGTH = 10_000


def _int(value: Any) -> Any:
    return as_int(value)


Int = Annotated[int, BeforeValidator(_int)]
MinuteValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "minute"))]
HourValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "hour"))]
DayOfMonthValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "day_of_month"))]
MonthValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "month"))]
DayOfWeekValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "day_of_week"))]


def _every() -> list[int | str]:
    return ["*"]


class ScheduleInputs(InputModel):
    """A cron-like schedule in UTC; a field left out means `["*"]` (every)."""

    minute: list[MinuteValue] = Field(default_factory=_every)
    hour: list[HourValue] = Field(default_factory=_every)
    day_of_month: list[DayOfMonthValue] = Field(default_factory=_every)
    month: list[MonthValue] = Field(default_factory=_every)
    day_of_week: list[DayOfWeekValue] = Field(default_factory=_every)

    @model_validator(mode="before")
    @classmethod
    def _every_when_missing(cls, data: Any) -> Any:
        # A schedule is one unit of desired state: fill the omitted fields so that they count as set.
        if isinstance(data, Mapping):
            return {**{field: ["*"] for field in SCHEDULE_FIELDS}, **{k: v for k, v in data.items() if v is not None}}
        return data

    @field_validator(*SCHEDULE_FIELDS, mode="before")
    @classmethod
    def _single_value_is_a_list(cls, value: Any) -> Any:
        # `hour=0` is an easy slip for `hour=[0]`; the API only takes arrays, so wrap it rather than fail.
        return [value] if isinstance(value, int | float | str) else value


class TriggerInputs(InputModel):
    """When a run starts: on a schedule, on a health decline, by a custom job, or only by hand (type None)."""

    type: TriggerType | None = None
    schedule: ScheduleInputs | None = None
    status_declines_to_warning: bool | None = None
    status_declines_to_failing: bool | None = None
    status_still_in_decline: bool | None = None
    min_interval_between_runs: str | None = None
    custom_job_id: Id | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _manual_spellings(cls, value: Any) -> Any:
        # Terraform sends the literal "None" for a manual-only policy; it means the same as null.
        return None if isinstance(value, str) and value.strip().lower() == "none" else value

    @field_validator("min_interval_between_runs")
    @classmethod
    def _iso_duration(cls, value: str | None) -> str | None:
        if value is not None and not is_iso8601_duration(value):
            raise ValueError(
                'min_interval_between_runs must be an ISO-8601 duration such as "P1D" (one day) or '
                f'"PT12H" (12 hours), got {value!r}'
            )
        return value


class AutopilotOptionsInputs(InputModel):
    """How Autopilot runs in the retraining project."""

    mode: AutopilotMode | None = None
    blend_best_models: bool | None = None
    run_leakage_removed_feature_list: bool | None = None
    scoring_code_only: bool | None = None
    shap_only_mode: bool | None = None


class ProjectOptionsInputs(InputModel):
    """Partitioning and metric of the retraining project (used with project_options_strategy=custom/override)."""

    cv_method: CVMethod | None = None
    validation_type: ValidationType | None = None
    metric: Metric | None = None
    holdout_pct: Annotated[int | float | None, Field(ge=0, le=98)] = None
    validation_pct: Annotated[int | float | None, Field(ge=1, le=99)] = None
    reps: Annotated[Int | None, Field(ge=2, le=50)] = None

    @field_validator("holdout_pct", "validation_pct")
    @classmethod
    def _integral_stays_int(cls, value: int | float | None) -> int | float | None:
        return int(value) if isinstance(value, float) and value.is_integer() else value


class PeriodicityInputs(InputModel):
    """One periodicity of a time-series project: `time_steps` of `time_unit`."""

    time_steps: Annotated[Int, Field(ge=0)]
    time_unit: TimeUnit


class TimeSeriesOptionsInputs(InputModel):
    """Time-series options of the retraining project (periodicities included, unlike the official bridge)."""

    calendar_id: Id | None = None
    differencing_method: DifferencingMethod | None = None
    exponentially_weighted_moving_alpha: Annotated[float | None, Field(ge=0, le=1)] = None
    periodicities: list[PeriodicityInputs] | None = None
    treat_as_exponential: TreatAsExponential | None = None


class RetrainingPolicyInputs(InputModel):
    """The validated desired state of one retraining policy, snake_case, as `check` returns it."""

    deployment_id: Id | None = None
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)] | None = None
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)] | None = None
    action: Action | None = None
    trigger: TriggerInputs | None = None
    model_selection_strategy: ModelSelectionStrategy | None = None
    feature_list_strategy: FeatureListStrategy | None = None
    project_options_strategy: ProjectOptionsStrategy | None = None
    autopilot_options: AutopilotOptionsInputs | None = None
    project_options: ProjectOptionsInputs | None = None
    time_series_options: TimeSeriesOptionsInputs | None = None
    use_case_id: Id | None = None
    adopt_existing: bool = False


# Every unit of desired state a user can set, compare, or remove. A schedule and the periodicities are one unit
# each: a partial schedule has no meaning of its own.
POLICY_LEAVES: tuple[str, ...] = (
    "name",
    "description",
    "action",
    "model_selection_strategy",
    "feature_list_strategy",
    "project_options_strategy",
    "use_case_id",
    "trigger.type",
    "trigger.schedule",
    "trigger.status_declines_to_warning",
    "trigger.status_declines_to_failing",
    "trigger.status_still_in_decline",
    "trigger.min_interval_between_runs",
    "trigger.custom_job_id",
    "autopilot_options.mode",
    "autopilot_options.blend_best_models",
    "autopilot_options.run_leakage_removed_feature_list",
    "autopilot_options.scoring_code_only",
    "autopilot_options.shap_only_mode",
    "project_options.cv_method",
    "project_options.validation_type",
    "project_options.metric",
    "project_options.holdout_pct",
    "project_options.validation_pct",
    "project_options.reps",
    "time_series_options.calendar_id",
    "time_series_options.differencing_method",
    "time_series_options.exponentially_weighted_moving_alpha",
    "time_series_options.periodicities",
    "time_series_options.treat_as_exponential",
)

# What a leaf returns to when the user stops setting it (reference §6). A nested leaf goes back to null: that is what
# a key left out of a nested object sent comes back as (a saved real answer, the public docs' example). The top-level
# strategies cannot be null; theirs are the values a create without them gets (not public: the Terraform provider's
# schema defaults, which the emulator answers too). Leaves not listed here go back to null.
POLICY_SERVER_DEFAULTS: dict[str, Any] = {
    "action": Action.CREATE_CHALLENGER.value,
    "feature_list_strategy": FeatureListStrategy.SAME_AS_CHAMPION.value,
    "model_selection_strategy": ModelSelectionStrategy.AUTOPILOT_RECOMMENDED.value,
    "project_options_strategy": ProjectOptionsStrategy.SAME_AS_CHAMPION.value,
}


def check_policy(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize a policy's inputs; unknown values pass through untouched and unjudged."""
    props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
    known, unknown_paths = split_unknowns(props)
    unknown_roots = {path[0] for path in unknown_paths}
    try:
        model = RetrainingPolicyInputs.model_validate(known)
    except ValidationError as error:
        # Report the cross-field rules too, so one preview shows every problem rather than one at a time.
        unknown = {".".join(p) for p in unknown_paths}
        failures = [_with_key_hint(f) for f in validation_failures(error, root="RetrainingPolicy")]
        return dict(news), failures + _cross_field_failures(known, unknown)

    normalized = model.model_dump(mode="json", exclude_unset=True)
    if "trigger" in normalized and model.trigger is not None and model.trigger.schedule is not None:
        normalized["trigger"]["schedule"] = model.trigger.schedule.model_dump(mode="json")
    failures = [
        Failure(key, f"{key} is required")
        for key in ("deployment_id", "name")
        if normalized.get(key) is None and key not in unknown_roots
    ]
    failures += _cross_field_failures(normalized, {".".join(p) for p in unknown_paths})
    result = restore_unknowns(normalized, unknown_paths)
    if PROVIDER_KEY in news:
        result[PROVIDER_KEY] = news[PROVIDER_KEY]
    return result, failures


def _with_key_hint(failure: Failure) -> Failure:
    """A schedule key spelled as pulumi_datarobot or the REST API spells it: say which key to write instead."""
    parent, _, key = failure.property.rpartition(".")
    hint = schedule_key_hint(key) if parent == "trigger.schedule" else None
    if hint is None:
        return failure
    return Failure(failure.property, f"{key} is not a property of trigger.schedule: {hint}")


def _cross_field_failures(policy: Mapping[str, Any], unknown: set[str]) -> list[Failure]:
    """Rules between fields that the reference confirms; anything uncertain is left to the server."""
    failures: list[Failure] = []

    def known(path: str) -> bool:
        return not any(path == u or path.startswith(u + ".") or u.startswith(path + ".") for u in unknown)

    trigger_type = get_path(policy, "trigger.type")
    if (
        trigger_type == TriggerType.SCHEDULE.value
        and known("trigger.schedule")
        and get_path(policy, "trigger.schedule") is None
    ):
        failures.append(
            Failure(
                "trigger.schedule",
                'a trigger of type "schedule" needs a schedule, e.g. ScheduleArgs(minute=[0], hour=[0]) for '
                "daily at 00:00 UTC",
            )
        )
    if (
        trigger_type == TriggerType.CUSTOM_JOB.value
        and known("trigger.custom_job_id")
        and not get_path(policy, "trigger.custom_job_id")
    ):
        failures.append(
            Failure("trigger.custom_job_id", 'a trigger of type "custom_job" needs the custom_job_id to run')
        )
    if (
        get_path(policy, "autopilot_options.blend_best_models") is True
        and get_path(policy, "autopilot_options.shap_only_mode") is True
    ):
        failures.append(
            Failure(
                "autopilot_options.blend_best_models",
                "blend_best_models cannot be used together with shap_only_mode; set one of them to false",
            )
        )
    if (
        get_path(policy, "time_series_options.differencing_method") == DifferencingMethod.SEASONAL.value
        and known("time_series_options.periodicities")
        and not get_path(policy, "time_series_options.periodicities")
    ):
        failures.append(
            Failure(
                "time_series_options.periodicities",
                'differencing_method "seasonal" needs at least one periodicity, '
                'e.g. PeriodicityArgs(time_steps=7, time_unit="DAY")',
            )
        )
    return failures
