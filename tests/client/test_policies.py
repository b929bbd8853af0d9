"""Retraining policies against the emulator: list, create, get, update, delete (reference §2 rows 3-7)."""

from __future__ import annotations

import pytest

from datarobot_emulator.seed import DEMO_DEPLOYMENT_2_ID, DEMO_DEPLOYMENT_ID, DEMO_USE_CASE_ID
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import NotFoundError, UnprocessableEntityError
from datarobot_retraining.models import (
    Action,
    AutopilotOptions,
    Metric,
    Periodicity,
    ProjectOptions,
    RetrainingPolicyCreate,
    RetrainingPolicyUpdate,
    Schedule,
    TimeSeriesOptions,
    TimeUnit,
    Trigger,
    TriggerType,
)


def full_policy(name: str = "nightly") -> RetrainingPolicyCreate:
    return RetrainingPolicyCreate(
        name=name,
        description="Retrain every night",
        action=Action.CREATE_MODEL_PACKAGE,
        autopilot_options=AutopilotOptions(mode="auto", blend_best_models=False, shap_only_mode=True),
        feature_list_strategy="informative_features",
        model_selection_strategy="autopilot_recommended",
        project_options=ProjectOptions(cv_method="RandomCV", validation_type="CV", metric=Metric.AUC, reps=5),
        project_options_strategy="custom",
        time_series_options=TimeSeriesOptions(
            differencing_method="seasonal", periodicities=[Periodicity(time_steps=7, time_unit=TimeUnit.DAY)]
        ),
        trigger=Trigger(
            type=TriggerType.SCHEDULE,
            schedule=Schedule(minute=[0], hour=[2], day_of_month=["*"], month=["*"], day_of_week=["mon", 3]),
            min_interval_between_runs="P1D",
        ),
        use_case_id=DEMO_USE_CASE_ID,
    )


def test_empty_list(client: DataRobotClient) -> None:
    assert list(client.retraining_policies.list(DEMO_DEPLOYMENT_ID)) == []


def test_create_manual_policy_gets_server_defaults(client: DataRobotClient, ready_deployment: str) -> None:
    policy = client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="manual"))
    assert policy.id and policy.name == "manual"
    assert policy.description is None
    assert policy.action == "create_challenger"
    # Every nested key is there, null when not sent.
    assert policy.autopilot_options is not None and policy.autopilot_options.mode is None
    assert policy.project_options is not None and policy.project_options.reps is None
    assert policy.trigger is not None and policy.trigger.type is None
    assert policy.latest_run is None


def test_create_full_policy_round_trips(client: DataRobotClient, ready_deployment: str) -> None:
    policy = client.retraining_policies.create(ready_deployment, full_policy())
    fetched = client.retraining_policies.get(ready_deployment, policy.id)
    assert fetched == policy
    assert policy.action == "create_model_package"
    assert policy.trigger is not None and policy.trigger.type == "schedule"
    assert policy.trigger.schedule is not None and policy.trigger.schedule.day_of_week == ["mon", 3]
    assert policy.trigger.min_interval_between_runs == "P1D"
    assert policy.project_options is not None and policy.project_options.metric == "AUC"
    assert policy.time_series_options is not None and policy.time_series_options.periodicities is not None
    assert policy.time_series_options.periodicities[0].time_steps == 7
    assert policy.use_case is not None and policy.use_case.id == DEMO_USE_CASE_ID


def test_list_returns_created_policies(client: DataRobotClient, ready_deployment: str) -> None:
    created = [client.retraining_policies.create(ready_deployment, full_policy(f"p{i}")).id for i in range(3)]
    listed = [p.id for p in client.retraining_policies.list(ready_deployment)]
    assert sorted(listed) == sorted(created)
    assert list(client.retraining_policies.list(DEMO_DEPLOYMENT_2_ID)) == []


def test_update_merges_and_clears_with_explicit_null(client: DataRobotClient, ready_deployment: str) -> None:
    policy = client.retraining_policies.create(ready_deployment, full_policy())
    updated = client.retraining_policies.update(
        ready_deployment,
        policy.id,
        RetrainingPolicyUpdate(
            name="renamed", description=None, project_options=ProjectOptions(metric=None, holdout_pct=10)
        ),
    )
    assert updated.name == "renamed"
    assert updated.description is None
    assert updated.project_options is not None
    assert updated.project_options.metric is None
    assert updated.project_options.holdout_pct == 10
    assert updated.project_options.cv_method == "RandomCV"  # untouched nested key kept (merge)
    assert updated.trigger == policy.trigger  # untouched top-level key kept
    assert client.retraining_policies.get(ready_deployment, policy.id) == updated


def test_delete(client: DataRobotClient, ready_deployment: str, emulator: EmulatorServer) -> None:
    policy = client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="doomed"))
    client.retraining_policies.delete(ready_deployment, policy.id)
    with pytest.raises(NotFoundError):
        client.retraining_policies.get(ready_deployment, policy.id)
    with pytest.raises(NotFoundError):
        client.retraining_policies.delete(ready_deployment, policy.id)
    deletes = [r["status"] for r in emulator.control.requests() if r["method"] == "DELETE"]
    assert deletes == [204, 404]


def test_a_refusal_is_an_error_with_the_servers_words(client: DataRobotClient, emulator: EmulatorServer) -> None:
    emulator.control.set_variants(policyNeedsDataset="true")  # a server that wants the dataset first
    with pytest.raises(UnprocessableEntityError) as caught:
        client.retraining_policies.create(DEMO_DEPLOYMENT_ID, RetrainingPolicyCreate(name="too early"))
    assert str(caught.value).startswith(f"POST /deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/ failed with 422")
    assert caught.value.server_message


def test_sixth_policy_is_refused_with_field_errors(client: DataRobotClient, ready_deployment: str) -> None:
    for i in range(5):
        client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name=f"p{i}"))
    with pytest.raises(UnprocessableEntityError) as caught:
        client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="p5"))
    assert "5" in caught.value.server_message or "five" in caught.value.server_message.lower()


def test_invalid_values_come_back_as_field_errors(client: DataRobotClient, ready_deployment: str) -> None:
    # The wire model does not range-check; the server does, and names the field.
    with pytest.raises(UnprocessableEntityError) as caught:
        client.retraining_policies.create(
            ready_deployment,
            RetrainingPolicyCreate(
                name="bad",
                trigger=Trigger(
                    type="schedule",
                    schedule=Schedule(minute=[75], hour=[0], day_of_month=["*"], month=["*"], day_of_week=["*"]),
                ),
            ),
        )
    assert caught.value.errors
    assert any("minute" in field for field in caught.value.errors)
    assert "minute" in str(caught.value)


def test_unknown_policy(client: DataRobotClient, ready_deployment: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.retraining_policies.get(ready_deployment, "000000000000000000000000")
    assert caught.value.path == f"/deployments/{ready_deployment}/retrainingPolicies/000000000000000000000000/"
