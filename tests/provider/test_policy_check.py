"""RetrainingPolicyProvider.check: every validation rule, normalization, and unknowns left untouched."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from datarobot_retraining.resources import RetrainingPolicyProvider
from tests.provider.helpers import notebook_policy

PROVIDER = RetrainingPolicyProvider()


def failures(props: dict[str, Any]) -> dict[str, str]:
    result = PROVIDER.check({}, props)
    return {f.property: f.reason for f in result.failures}


def test_the_notebook_policy_passes_and_is_normalized() -> None:
    result = PROVIDER.check({}, notebook_policy())
    assert result.failures == []
    schedule = result.inputs["trigger"]["schedule"]
    # Omitted schedule fields mean every; check fills them so the schedule is one complete unit of state.
    assert schedule == {
        "minute": [0],
        "hour": [0],
        "day_of_month": ["*"],
        "month": ["*"],
        "day_of_week": ["*"],
    }


def test_numbers_arriving_as_floats_and_numeric_strings_become_ints() -> None:
    props = notebook_policy(
        trigger={
            "type": "schedule",
            "schedule": {"minute": [0.0, "30"], "hour": ["6"], "day_of_week": [1.0]},
        },
        project_options={"reps": 5.0, "holdout_pct": 20.0, "validation_pct": 15.5},
    )
    result = PROVIDER.check({}, props)
    assert result.failures == []
    schedule = result.inputs["trigger"]["schedule"]
    assert schedule["minute"] == [0, 30] and all(type(v) is int for v in schedule["minute"])
    assert schedule["hour"] == [6] and schedule["day_of_week"] == [1]
    options = result.inputs["project_options"]
    assert type(options["reps"]) is int and options["reps"] == 5
    assert type(options["holdout_pct"]) is int and options["validation_pct"] == 15.5


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("month", ["jan", "October", "DEC", 12]),
        ("day_of_week", ["sun", "Monday", "SAT", 0, 6]),
        ("minute", ["*"]),
    ],
)
def test_schedule_names_any_case_and_star_are_accepted(field: str, values: list[Any]) -> None:
    props = notebook_policy(trigger={"type": "schedule", "schedule": {field: values}})
    assert failures(props) == {}


@pytest.mark.parametrize(
    ("schedule", "path", "fragment"),
    [
        ({"minute": [60]}, "trigger.schedule.minute[0]", "minute values must be 0 to 59"),
        ({"hour": [0, 24]}, "trigger.schedule.hour[1]", "hour values must be 0 to 23"),
        ({"day_of_month": [0]}, "trigger.schedule.day_of_month[0]", "1 to 31"),
        ({"month": ["Janu"]}, "trigger.schedule.month[0]", 'a name such as "jan"'),
        ({"day_of_week": [7]}, "trigger.schedule.day_of_week[0]", "Sunday = 0"),
        ({"hour": [1.5]}, "trigger.schedule.hour[0]", "hour values"),
        ({"hour": [True]}, "trigger.schedule.hour[0]", "hour values"),
    ],
)
def test_schedule_values_out_of_range_name_the_exact_entry(schedule: dict[str, Any], path: str, fragment: str) -> None:
    found = failures(notebook_policy(trigger={"type": "schedule", "schedule": schedule}))
    assert list(found) == [path]
    assert fragment in found[path]


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"action": "retrain"}, "action", "must be one of 'create_challenger'"),
        ({"trigger": {"type": "hourly"}}, "trigger.type", "must be one of"),
        ({"model_selection_strategy": "best"}, "model_selection_strategy", "autopilot_recommended"),
        ({"feature_list_strategy": "all"}, "feature_list_strategy", "informative_features"),
        ({"project_options_strategy": "x"}, "project_options_strategy", "override_champion"),
        ({"autopilot_options": {"mode": "fast"}}, "autopilot_options.mode", "'quick'"),
        ({"project_options": {"cv_method": "KFold"}}, "project_options.cv_method", "RandomCV"),
        ({"project_options": {"metric": "accuracy"}}, "project_options.metric", "Accuracy"),
        ({"project_options": {"holdout_pct": 99}}, "project_options.holdout_pct", "at most 98"),
        ({"project_options": {"validation_pct": 0}}, "project_options.validation_pct", "at least 1"),
        ({"project_options": {"reps": 51}}, "project_options.reps", "at most 50"),
        ({"project_options": {"reps": 1}}, "project_options.reps", "at least 2"),
        (
            {"time_series_options": {"exponentially_weighted_moving_alpha": 1.5}},
            "time_series_options.exponentially_weighted_moving_alpha",
            "at most 1",
        ),
        (
            {"time_series_options": {"periodicities": [{"time_steps": -1, "time_unit": "DAY"}]}},
            "time_series_options.periodicities[0].time_steps",
            "at least 0",
        ),
        (
            {"time_series_options": {"periodicities": [{"time_steps": 7, "time_unit": "FORTNIGHT"}]}},
            "time_series_options.periodicities[0].time_unit",
            "must be one of",
        ),
        (
            {"trigger": {"type": "accuracy_decline", "min_interval_between_runs": "1 day"}},
            "trigger.min_interval_between_runs",
            "ISO-8601 duration",
        ),
        (
            {"trigger": {"type": "accuracy_decline", "status_declines_to_warning": "sometimes"}},
            "trigger.status_declines_to_warning",
            "true or false",
        ),
        ({"name": "x" * 513}, "name", "at most 512 characters"),
        ({"name": ""}, "name", "must not be empty"),
        ({"description": "d" * 10_001}, "description", "at most 10000 characters"),
        ({"trigger": {"type": "schedule"}}, "trigger.schedule", "needs a schedule"),
        ({"trigger": {"type": "custom_job"}}, "trigger.custom_job_id", "custom_job_id"),
        (
            {"autopilot_options": {"blend_best_models": True, "shap_only_mode": True}},
            "autopilot_options.blend_best_models",
            "cannot be used together with shap_only_mode",
        ),
        (
            {"time_series_options": {"differencing_method": "seasonal"}},
            "time_series_options.periodicities",
            "needs at least one periodicity",
        ),
        ({"trigger": {"type": "schedule", "schedul": {"hour": [1]}}}, "trigger.schedul", "not a property"),
        ({"autopilot": {"mode": "auto"}}, "autopilot", "not a property of RetrainingPolicy"),
    ],
)
def test_each_rule_fails_on_its_property_with_a_sentence(overrides: dict[str, Any], path: str, fragment: str) -> None:
    found = failures(notebook_policy(**overrides))
    assert path in found, found
    assert fragment in found[path]


def test_every_problem_is_reported_at_once() -> None:
    found = failures(
        notebook_policy(
            action="nope",
            trigger={"type": "schedule", "schedule": {"hour": [25]}},
            autopilot_options={"blend_best_models": True, "shap_only_mode": True},
        )
    )
    assert set(found) == {"action", "trigger.schedule.hour[0]", "autopilot_options.blend_best_models"}


def test_required_properties() -> None:
    found = failures({"name": "x"})
    assert found == {"deployment_id": "deployment_id is required"}


@pytest.mark.parametrize(
    "trigger",
    [
        {"type": None},
        {"type": "None"},  # what the Terraform bridge sends for manual only
        {"type": "accuracy_decline", "min_interval_between_runs": "PT12H", "status_still_in_decline": True},
        {"type": "data_drift_decline", "min_interval_between_runs": "P1DT6H30M"},
        {"type": "custom_job", "custom_job_id": "65aa00000000000000000001"},
    ],
)
def test_bodies_the_server_accepts_are_never_refused(trigger: dict[str, Any]) -> None:
    assert failures(notebook_policy(trigger=trigger)) == {}


def test_the_literal_none_trigger_type_is_normalized_to_manual() -> None:
    result = PROVIDER.check({}, notebook_policy(trigger={"type": "None"}))
    assert result.inputs["trigger"]["type"] is None


def test_unknown_values_pass_through_untouched_and_unjudged() -> None:
    deployment = Unknown()
    hours = Unknown()
    props = notebook_policy(
        deployment_id=deployment,
        use_case_id=Unknown(),
        trigger={"type": "schedule", "schedule": {"minute": [0], "hour": hours}},
    )
    props["__provider"] = "serialized"
    result = PROVIDER.check({}, props)
    assert result.failures == []
    assert isinstance(result.inputs["deployment_id"], Unknown)
    assert isinstance(result.inputs["use_case_id"], Unknown)
    assert isinstance(result.inputs["trigger"]["schedule"]["hour"], Unknown)
    assert result.inputs["trigger"]["schedule"]["minute"] == [0]
    assert result.inputs["__provider"] == "serialized"


def test_an_unknown_list_element_makes_the_list_unknown_and_skips_cross_field_rules() -> None:
    props = notebook_policy(trigger={"type": Unknown(), "schedule": {"hour": [1, Unknown()]}})
    result = PROVIDER.check({}, props)
    assert result.failures == []
    assert isinstance(result.inputs["trigger"]["schedule"]["hour"], Unknown)


def test_check_makes_no_request(emulator: Any) -> None:
    emulator.control.clear_requests()
    PROVIDER.check({}, notebook_policy())
    PROVIDER.check({}, notebook_policy(action="bad"))
    assert emulator.control.requests() == []
