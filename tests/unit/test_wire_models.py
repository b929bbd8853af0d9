"""Wire models: strict request bodies (camelCase, explicit nulls, sparse) and tolerant response parsing."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from datarobot_retraining.models import (
    Action,
    AutopilotOptions,
    Deployment,
    Metric,
    Page,
    Periodicity,
    ProjectOptions,
    RetrainingPolicy,
    RetrainingPolicyCreate,
    RetrainingPolicyRun,
    RetrainingPolicyUpdate,
    RetrainingSettings,
    RetrainingSettingsUpdate,
    RunOutcome,
    RunStatus,
    Schedule,
    TimeSeriesOptions,
    TimeUnit,
    Trigger,
    TriggerType,
    outcome_of,
)

# -- requests ---------------------------------------------------------------------------------------------


def test_unset_fields_are_omitted_and_explicit_none_is_sent_as_null() -> None:
    body = RetrainingSettingsUpdate(dataset_id="ds1", credential_id=None)
    assert body.to_wire() == {"datasetId": "ds1", "credentialId": None}
    assert RetrainingSettingsUpdate().to_wire() == {}


def test_full_policy_body_is_camel_case_all_the_way_down() -> None:
    body = RetrainingPolicyCreate(
        name="nightly",
        description=None,
        action="create_challenger",
        autopilot_options=AutopilotOptions(mode="quick", blend_best_models=False, shap_only_mode=True),
        feature_list_strategy="informative_features",
        model_selection_strategy="autopilot_recommended",
        project_options=ProjectOptions(
            cv_method="RandomCV", validation_type="CV", metric=Metric.RATE_TOP5, holdout_pct=20, reps=5
        ),
        project_options_strategy="custom",
        time_series_options=TimeSeriesOptions(
            differencing_method="seasonal",
            periodicities=[Periodicity(time_steps=7, time_unit=TimeUnit.DAY)],
            exponentially_weighted_moving_alpha=0.5,
            calendar_id=None,
        ),
        trigger=Trigger(
            type=TriggerType.SCHEDULE,
            schedule=Schedule(minute=[0], hour=[2], day_of_month=["*"], month=["jan", 7], day_of_week=["*"]),
            status_declines_to_warning=True,
            min_interval_between_runs="P1D",
            custom_job_id=None,
        ),
        use_case_id="uc1",
    )
    assert body.to_wire() == {
        "name": "nightly",
        "description": None,
        "action": "create_challenger",
        "autopilotOptions": {"mode": "quick", "blendBestModels": False, "shapOnlyMode": True},
        "featureListStrategy": "informative_features",
        "modelSelectionStrategy": "autopilot_recommended",
        "projectOptions": {
            "cvMethod": "RandomCV",
            "validationType": "CV",
            "metric": "Rate@Top5%",
            "holdoutPct": 20,
            "reps": 5,
        },
        "projectOptionsStrategy": "custom",
        "timeSeriesOptions": {
            "differencingMethod": "seasonal",
            "periodicities": [{"timeSteps": 7, "timeUnit": "DAY"}],
            "exponentiallyWeightedMovingAlpha": 0.5,
            "calendarId": None,
        },
        "trigger": {
            "type": "schedule",
            "schedule": {
                "minute": [0],
                "hour": [2],
                "dayOfMonth": ["*"],
                "month": ["jan", 7],
                "dayOfWeek": ["*"],
            },
            "statusDeclinesToWarning": True,
            "minIntervalBetweenRuns": "P1D",
            "customJobId": None,
        },
        "useCaseId": "uc1",
    }


def test_manual_trigger_is_null_also_when_given_as_the_string_none() -> None:
    assert Trigger(type=None).to_wire() == {"type": None}
    assert Trigger(type="None").to_wire() == {"type": None}


def test_update_body_can_clear_nested_keys() -> None:
    body = RetrainingPolicyUpdate(project_options=ProjectOptions(metric=None, holdout_pct=None), description=None)
    assert body.to_wire() == {"projectOptions": {"metric": None, "holdoutPct": None}, "description": None}
    assert RetrainingPolicyUpdate().to_wire() == {}


def test_fields_can_be_given_by_alias_and_assignment_marks_them_set() -> None:
    body = RetrainingSettingsUpdate(datasetId="ds1")  # type: ignore[call-arg]
    body.retraining_user_id = None
    assert body.to_wire() == {"datasetId": "ds1", "retrainingUserId": None}


@pytest.mark.parametrize(
    ("model", "kwargs"),
    [
        (RetrainingPolicyCreate, {"name": "x", "unknown": 1}),  # unknown key: a bug on our side
        (RetrainingPolicyCreate, {"description": "no name"}),  # name is required
        (RetrainingPolicyCreate, {"name": "x", "action": "replace_everything"}),
        (Trigger, {"type": "hourly"}),
        (ProjectOptions, {"metric": "Accuracy!"}),
        (Periodicity, {"time_steps": 3}),
        (Schedule, {"minute": 5}),  # a list, not a scalar
    ],
)
def test_request_models_are_strict(model: type, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model(**kwargs)


def test_request_models_do_not_range_check() -> None:
    # Ranges are the provider's check; the wire model must not refuse what a real server might accept.
    body = ProjectOptions(holdout_pct=150, reps=1000)
    assert body.to_wire() == {"holdoutPct": 150, "reps": 1000}
    assert Schedule(minute=[99]).to_wire() == {"minute": [99]}


def test_enums_are_strings_with_wire_values() -> None:
    assert Metric.RATE_TOP5.value == "Rate@Top5%"
    assert isinstance(Metric.RATE_TOP5, str)
    assert str(Metric.RATE_TOP10) == "Rate@Top10%"
    assert f"{Action.MODEL_REPLACEMENT}" == "model_replacement"
    assert TriggerType("data_drift_decline") is TriggerType.DATA_DRIFT_DECLINE
    assert [s.value for s in RunStatus] == ["scheduled", "running", "succeeded", "failed", "cancelled"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("succeeded", RunOutcome.SUCCEEDED),
        ("SUCCEEDED", RunOutcome.SUCCEEDED),
        ("Completed", RunOutcome.SUCCEEDED),
        ("success", RunOutcome.SUCCEEDED),
        ("finished", RunOutcome.SUCCEEDED),
        ("failed", RunOutcome.FAILED),
        ("ERROR", RunOutcome.FAILED),
        ("errored", RunOutcome.FAILED),
        ("cancelled", RunOutcome.CANCELLED),
        ("Canceled", RunOutcome.CANCELLED),
        ("ABORTED", RunOutcome.CANCELLED),
        ("scheduled", RunOutcome.IN_PROGRESS),
        ("running", RunOutcome.IN_PROGRESS),
        ("QUEUED", RunOutcome.IN_PROGRESS),
        ("IN_PROGRESS", RunOutcome.IN_PROGRESS),
        ("in progress", RunOutcome.IN_PROGRESS),
        (" Running ", RunOutcome.IN_PROGRESS),
        ("creating_challenger", RunOutcome.UNKNOWN),
        ("stage-3", RunOutcome.UNKNOWN),
        ("", RunOutcome.UNKNOWN),
        (None, RunOutcome.UNKNOWN),
    ],
)
def test_outcome_of_reads_every_plausible_spelling(status: str | None, outcome: RunOutcome) -> None:
    assert outcome_of(status) is outcome
    # Only the three final outcomes are finished: an unknown status keeps a waiter waiting (within its bound).
    assert outcome_of(status).finished is (outcome in {RunOutcome.SUCCEEDED, RunOutcome.FAILED, RunOutcome.CANCELLED})


def test_a_run_reports_its_outcome() -> None:
    run = RetrainingPolicyRun.model_validate({"id": "r1", "status": "COMPLETED"})
    assert run.outcome is RunOutcome.SUCCEEDED and run.outcome.finished
    assert run.status == "COMPLETED"  # the raw spelling is kept for the user to see


# -- responses --------------------------------------------------------------------------------------------

REAL_CREATE_RESPONSE: dict[str, Any] = {
    "id": "6761c2f0e5a8b1a3c4d5e6f7",
    "name": "Retrain on drift",
    "description": None,
    "action": "create_challenger",
    "autopilotOptions": {
        "mode": "quick",
        "blendBestModels": False,
        "runLeakageRemovedFeatureList": True,
        "scoringCodeOnly": False,
        "shapOnlyMode": False,
    },
    "featureListStrategy": "informative_features",
    "modelSelectionStrategy": "autopilot_recommended",
    "projectOptions": {
        "cvMethod": "RandomCV",
        "validationType": "CV",
        "metric": "Accuracy",
        "reps": None,
        "validationPct": None,
        "holdoutPct": None,
    },
    "projectOptionsStrategy": "override_champion",
    "timeSeriesOptions": {
        "treatAsExponential": None,
        "differencingMethod": None,
        "periodicities": None,
        "exponentiallyWeightedMovingAlpha": None,
        "calendarId": None,
    },
    "trigger": {
        "type": "data_drift_decline",
        "schedule": {"minute": [0], "hour": [0], "dayOfMonth": ["*"], "month": ["*"], "dayOfWeek": ["*"]},
        "statusDeclinesToWarning": True,
        "statusDeclinesToFailing": False,
        "statusStillInDecline": False,
        "minIntervalBetweenRuns": None,
        "customJobId": None,
    },
    "latestRun": None,
    "customJob": None,
    "useCase": None,
}


def test_parses_a_real_create_response() -> None:
    policy = RetrainingPolicy.model_validate(REAL_CREATE_RESPONSE)
    assert policy.trigger is not None and policy.trigger.schedule is not None
    assert policy.trigger.type == "data_drift_decline"
    assert policy.trigger.schedule.day_of_month == ["*"]
    assert policy.trigger.schedule.hour == [0]
    assert policy.project_options is not None and policy.project_options.reps is None
    assert policy.time_series_options is not None and policy.time_series_options.periodicities is None
    assert policy.latest_run is None
    assert policy.model_extra == {}


def test_responses_keep_unknown_values_and_keys() -> None:
    data = {
        **REAL_CREATE_RESPONSE,
        "action": "retrain_and_deploy",
        "trigger": {"type": "time_of_day", "newKnob": 3},
        "projectOptions": {"metric": "Brand New Metric", "cvMethod": "GroupCV", "reps": 5.0, "holdoutPct": 12.5},
        "createdAt": "2025-01-01T00:00:00Z",
    }
    policy = RetrainingPolicy.model_validate(data)
    assert policy.action == "retrain_and_deploy"
    assert policy.trigger is not None and policy.trigger.type == "time_of_day"
    assert policy.trigger.model_extra == {"newKnob": 3}
    assert policy.project_options is not None
    assert policy.project_options.metric == "Brand New Metric"
    assert policy.project_options.reps == 5 and isinstance(policy.project_options.reps, int)
    assert policy.project_options.holdout_pct == 12.5
    assert policy.model_extra == {"createdAt": "2025-01-01T00:00:00Z"}


def test_literal_none_trigger_type_reads_as_none() -> None:
    policy = RetrainingPolicy.model_validate({"id": "p", "name": "n", "trigger": {"type": "None"}})
    assert policy.trigger is not None and policy.trigger.type is None


def test_schedule_values_may_be_strings_ints_or_a_bare_scalar() -> None:
    policy = RetrainingPolicy.model_validate(
        {"id": "p", "name": "n", "trigger": {"schedule": {"minute": "*", "hour": [1, "2"], "month": ["October"]}}}
    )
    assert policy.trigger is not None and policy.trigger.schedule is not None
    schedule = policy.trigger.schedule
    assert (schedule.minute, schedule.hour, schedule.month, schedule.day_of_week) == (
        ["*"],
        [1, "2"],
        ["October"],
        None,
    )


def test_minimal_policy_defaults_missing_keys_to_none() -> None:
    policy = RetrainingPolicy.model_validate({"id": "p", "name": "n"})
    assert policy.trigger is None and policy.use_case is None and policy.custom_job is None


def test_run_with_times_and_unknown_status() -> None:
    run = RetrainingPolicyRun.model_validate(
        {
            "id": "r1",
            "status": "creatingChallenger",
            "startTime": "2025-03-01T10:00:00.123456Z",
            "finishTime": None,
            "challengerId": None,
        }
    )
    assert run.start_time == datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert run.finish_time is None
    assert run.status == "creatingChallenger"
    assert not run.outcome.finished


def test_settings_read_shape() -> None:
    settings = RetrainingSettings.model_validate(
        {
            "dataset": {"id": "ds1", "name": "training.csv"},
            "predictionEnvironment": None,
            "retrainingUser": {"id": "u1", "username": "ml@example.com"},
        }
    )
    assert settings.dataset is not None and settings.dataset.name == "training.csv"
    assert settings.retraining_user is not None and settings.retraining_user.username == "ml@example.com"
    assert settings.prediction_environment is None and settings.credential is None


def test_deployment_nested_objects_are_tolerant() -> None:
    deployment = Deployment.model_validate(
        {
            "id": "d1",
            "label": "Churn",
            "model": {"id": "m1", "targetName": "churned", "targetType": "Binary", "newKey": 1},
            "owners": {"count": 2.0, "preview": [{"id": "u1", "email": "a@example.com", "firstName": "A"}]},
            "serviceHealth": {"status": "passing", "message": None},
            "permissions": ["CAN_VIEW", "CAN_EDIT"],
            "governance": {"approvalStatus": "APPROVED"},
        }
    )
    assert deployment.model is not None and deployment.model.target_type == "Binary"
    assert deployment.owners is not None and deployment.owners.count == 2
    assert deployment.owners.preview is not None and deployment.owners.preview[0].first_name == "A"
    assert deployment.accuracy_health is None
    assert deployment.model_extra == {"governance": {"approvalStatus": "APPROVED"}}


def test_page_envelope() -> None:
    parsed = Page[RetrainingPolicyRun].model_validate(
        {"count": 1, "data": [{"id": "r", "status": "running"}], "next": None, "totalCount": 1}
    )
    assert parsed.total_count == 1 and parsed.data[0].id == "r" and parsed.next is None
