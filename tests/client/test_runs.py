"""Retraining policy runs against the emulator: start, list, get, cancel (reference §2 rows 8-11, §3.7)."""

from __future__ import annotations

import time

import pytest

from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import ConflictError, NotFoundError
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingPolicyRun, outcome_of


@pytest.fixture
def policy_id(client: DataRobotClient, ready_deployment: str) -> str:
    return client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="manual")).id


def wait_until_terminal(
    client: DataRobotClient, deployment_id: str, policy_id: str, run_id: str
) -> RetrainingPolicyRun:
    deadline = time.monotonic() + 20
    while True:
        run = client.retraining_policy_runs.get(deployment_id, policy_id, run_id)
        if outcome_of(run.status).finished or time.monotonic() > deadline:
            return run
        time.sleep(0.05)


def test_start_get_list(client: DataRobotClient, ready_deployment: str, policy_id: str) -> None:
    run = client.retraining_policy_runs.start(ready_deployment, policy_id)
    assert run.id
    assert not outcome_of(run.status).finished
    assert client.retraining_policy_runs.get(ready_deployment, policy_id, run.id).id == run.id
    assert [r.id for r in client.retraining_policy_runs.list(ready_deployment, policy_id)] == [run.id]
    policy = client.retraining_policies.get(ready_deployment, policy_id)
    assert policy.latest_run is not None and policy.latest_run.id == run.id


def test_run_finishes(client: DataRobotClient, ready_deployment: str, policy_id: str) -> None:
    run = client.retraining_policy_runs.start(ready_deployment, policy_id)
    done = wait_until_terminal(client, ready_deployment, policy_id, run.id)
    assert done.status == "succeeded"
    assert done.start_time is not None and done.finish_time is not None
    assert done.finish_time >= done.start_time


def test_failed_run_reports_its_error(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str, policy_id: str
) -> None:
    emulator.control.fail_next_runs(1, "Autopilot ran out of memory")
    run = client.retraining_policy_runs.start(ready_deployment, policy_id)
    done = wait_until_terminal(client, ready_deployment, policy_id, run.id)
    assert done.status == "failed"
    assert done.error_message == "Autopilot ran out of memory"


def test_cancel_and_cancel_again(client: DataRobotClient, ready_deployment: str, policy_id: str) -> None:
    run = client.retraining_policy_runs.start(ready_deployment, policy_id)
    cancelled = client.retraining_policy_runs.cancel(ready_deployment, policy_id, run.id)
    assert cancelled.status == "cancelled"
    # A second cancel (or a retried one whose first attempt landed) is not an error.
    assert client.retraining_policy_runs.cancel(ready_deployment, policy_id, run.id).status == "cancelled"


def test_cancel_a_finished_run_is_a_conflict(client: DataRobotClient, ready_deployment: str, policy_id: str) -> None:
    run = client.retraining_policy_runs.start(ready_deployment, policy_id)
    wait_until_terminal(client, ready_deployment, policy_id, run.id)
    with pytest.raises(ConflictError) as caught:
        client.retraining_policy_runs.cancel(ready_deployment, policy_id, run.id)
    assert caught.value.method == "PATCH"
    assert caught.value.status_code == 409


def test_policy_with_a_running_run_cannot_be_deleted(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str, policy_id: str
) -> None:
    emulator.control.freeze_clock()
    client.retraining_policy_runs.start(ready_deployment, policy_id)
    with pytest.raises(ConflictError) as caught:
        client.retraining_policies.delete(ready_deployment, policy_id)
    assert str(caught.value).startswith(f"DELETE /deployments/{ready_deployment}/retrainingPolicies/{policy_id}/")


def test_unknown_run(client: DataRobotClient, ready_deployment: str, policy_id: str) -> None:
    with pytest.raises(NotFoundError):
        client.retraining_policy_runs.get(ready_deployment, policy_id, "000000000000000000000000")
