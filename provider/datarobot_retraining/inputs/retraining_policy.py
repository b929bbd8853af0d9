"""Desired state of a retraining policy, declared once: its fields, defaults, leaf paths and comparisons; `check`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from datarobot_retraining.inputs._check import IsKnown, check_inputs
from datarobot_retraining.inputs._shape import (
    ComparedBy,
    NotInAnswer,
    NotSent,
    NullSpelledNone,
    ReplacesOnChange,
    Required,
    ServerDefault,
    Unit,
    leaf_comparisons,
    leaf_paths,
    server_defaults,
)
from datarobot_retraining.inputs._validation import (
    Failure,
    Id,
    InputModel,
    is_iso8601_duration,
)
from datarobot_retraining.leaf_diff import Comparison, get_path
from datarobot_retraining.models.common import int_if_integral
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
from datarobot_retraining.schedule import SCHEDULE_FIELDS, normalize_value, same_schedule, schedule_key_hint

NAME_MAX_LENGTH = 512
DESCRIPTION_MAX_LENGTH = 10_000


Int = Annotated[int, BeforeValidator(int_if_integral)]
PolicyName = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)]
MinuteValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "minute"))]
HourValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "hour"))]
DayOfMonthValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "day_of_month"))]
MonthValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "month"))]
DayOfWeekValue = Annotated[int | str, BeforeValidator(partial(normalize_value, "day_of_week"))]


def _every() -> list[int | str]:
    return ["*"]


class ScheduleInputs(InputModel):
    """When a trigger fires, in UTC. Each field is a list; a field left out means `["*"]` (every).

    `minute` 0-59, `hour` 0-23, `day_of_month` 1-31, `month` 1-12 or names (`"jan"`, `"October"`), `day_of_week`
    0-6 with Sunday = 0 or names (`"sun"`, `"Monday"`). When both day fields are restricted, they add up.
    `ScheduleArgs.from_cron("0 6 * * 1-5")` builds the lists from a cron line.
    """

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
    """What starts a run. `type=None` (or no trigger at all) means manual only.

    `schedule` is required for `type="schedule"`; decline triggers may carry one too (the server stores it).
    The `status_*` flags choose which health changes fire a decline trigger; `min_interval_between_runs` is an
    ISO-8601 duration such as `"P1D"`; `custom_job_id` goes with `type="custom_job"`.
    """

    type: Annotated[TriggerType | None, NullSpelledNone()] = None
    # Two schedules are the same when they fire at the same times ("jan" == 1, values in any order, ints as floats).
    schedule: Annotated[ScheduleInputs | None, Unit(), ComparedBy(same_schedule)] = None
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
    """Autopilot in the retraining project. `blend_best_models` cannot be combined with `shap_only_mode`."""

    mode: AutopilotMode | None = None
    blend_best_models: bool | None = None
    run_leakage_removed_feature_list: bool | None = None
    scoring_code_only: bool | None = None
    shap_only_mode: bool | None = None


class ProjectOptionsInputs(InputModel):
    """Partitioning and metric: `holdout_pct` 0-98, `validation_pct` 1-99, `reps` (CV folds) 2-50."""

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
    """One periodicity of a time series: `time_steps` (≥ 0) of `time_unit` (e.g. 7 of "DAY")."""

    time_steps: Annotated[Int, Field(ge=0)]
    time_unit: TimeUnit


class TimeSeriesOptionsInputs(InputModel):
    """Time-series options; `differencing_method="seasonal"` needs periodicities."""

    calendar_id: Id | None = None
    differencing_method: DifferencingMethod | None = None
    exponentially_weighted_moving_alpha: Annotated[float | None, Field(ge=0, le=1)] = None
    periodicities: Annotated[list[PeriodicityInputs] | None, Unit()] = None
    treat_as_exponential: TreatAsExponential | None = None


class RetrainingPolicyInputs(InputModel):
    """The desired state of one retraining policy, snake_case, as `check` returns it (the one declaration of its
    fields: see `inputs._shape`)."""

    deployment_id: Annotated[Id | None, Required(), NotSent(), ReplacesOnChange()] = None
    """The deployment the policy belongs to. Changing it replaces the policy."""
    name: Annotated[PolicyName | None, Required()] = None
    """The policy's name in DataRobot (defaults to the resource name)."""
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)] | None = None
    action: Annotated[Action | None, ServerDefault(Action.CREATE_CHALLENGER)] = None
    trigger: TriggerInputs | None = None
    model_selection_strategy: Annotated[
        ModelSelectionStrategy | None, ServerDefault(ModelSelectionStrategy.AUTOPILOT_RECOMMENDED)
    ] = None
    feature_list_strategy: Annotated[
        FeatureListStrategy | None, ServerDefault(FeatureListStrategy.SAME_AS_CHAMPION)
    ] = None
    project_options_strategy: Annotated[
        ProjectOptionsStrategy | None, ServerDefault(ProjectOptionsStrategy.SAME_AS_CHAMPION)
    ] = None
    autopilot_options: AutopilotOptionsInputs | None = None
    project_options: ProjectOptionsInputs | None = None
    time_series_options: TimeSeriesOptionsInputs | None = None
    use_case_id: Annotated[Id | None, NotInAnswer()] = None
    adopt_existing: Annotated[bool, NotSent()] = False
    """Take over an existing policy of the same name instead of failing (never sent to DataRobot)."""


class RetrainingPolicyOutputs(BaseModel):
    """What the provider reports beyond the inputs (the SDK declares them as output attributes)."""

    policy_id: str
    """The DataRobot id of the policy (also the resource id)."""
    use_case_name: str | None
    latest_run: dict[str, Any] | None
    """The newest run as of the last create, update or refresh (`pulumi refresh` updates it)."""
    next_scheduled_runs: list[str]
    """The next three UTC times (ISO 8601) a schedule trigger fires, as of the last create, update or refresh."""
    managed_fields: list[str]
    """The fields this program sets (dotted paths); the others are the server's."""
    provenance: str | None
    """`created` (this stack created the policy) or `adopted` (taken over with `adopt_existing=True`); destroy
    deletes only such a policy."""

    model_config = ConfigDict(use_attribute_docstrings=True)


#: Every unit of desired state a user can set, compare, or remove. A schedule and the periodicities are one unit
#: each (`Unit()`): a partial schedule has no meaning of its own.
POLICY_LEAVES: tuple[str, ...] = leaf_paths(RetrainingPolicyInputs)

#: What a leaf returns to when the user stops setting it (reference §6), declared as `ServerDefault(...)` on the
#: fields. A nested leaf has none: it goes back to null, which is what a key left out of a nested object sent comes
#: back as (a saved real answer, the public docs' example). The top-level strategies cannot be null; theirs are the
#: values a create without them gets (not public: the Terraform provider's schema defaults, which the emulator
#: answers too). Leaves not listed here go back to null.
POLICY_SERVER_DEFAULTS: dict[str, Any] = server_defaults(RetrainingPolicyInputs)

#: Leaves compared by their own rule rather than `same_value`, declared as `ComparedBy(...)` on the fields.
POLICY_COMPARISONS: dict[str, Comparison] = leaf_comparisons(RetrainingPolicyInputs)


def check_policy(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize a policy's inputs (the one check path and its rule for unknowns: `inputs._check`)."""
    return check_inputs(
        news,
        RetrainingPolicyInputs,
        root="RetrainingPolicy",
        outputs=RetrainingPolicyOutputs.model_fields,
        cross_field=_cross_field_failures,
        explain=_with_key_hint,
    )


def _with_key_hint(failure: Failure) -> Failure:
    """A schedule key spelled as pulumi_datarobot or the REST API spells it: say which key to write instead."""
    parent, _, key = failure.property.rpartition(".")
    hint = schedule_key_hint(key) if parent == "trigger.schedule" else None
    if hint is None:
        return failure
    return Failure(failure.property, f"{key} is not a property of trigger.schedule: {hint}")


def _cross_field_failures(policy: Mapping[str, Any], known: IsKnown) -> list[Failure]:
    """Rules between fields that the reference confirms; anything uncertain is left to the server."""
    failures: list[Failure] = []

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
