"""RetrainingPolicyRun at method level against the emulator: check, diff, create, read, update, delete."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pulumi.output import Unknown

from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate, outcome_of
from datarobot_retraining.resources import ResourceOperationError, RetrainingPolicyRunProvider
from tests.provider.conftest import configure
from tests.provider.helpers import DEPLOYMENT


@pytest.fixture
def provider(emulator: EmulatorServer) -> RetrainingPolicyRunProvider:
    configured: RetrainingPolicyRunProvider = configure(RetrainingPolicyRunProvider(), emulator)
    return configured


@pytest.fixture
def policy_id(client: DataRobotClient, with_settings: dict[str, Any]) -> str:
    return client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="Run on deploy")).id


def props(policy_id: str, **overrides: Any) -> dict[str, Any]:
    return {"deployment_id": DEPLOYMENT, "policy_id": policy_id, "triggers": {"dataset_version": 1}, **overrides}


def create(provider: RetrainingPolicyRunProvider, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    checked = provider.check({}, inputs)
    assert checked.failures == []
    result = provider.create(checked.inputs)
    assert result.outs is not None
    return str(result.id), dict(result.outs)


def runs(client: DataRobotClient, policy_id: str) -> list[str]:
    return [r.id for r in client.retraining_policy_runs.list(DEPLOYMENT, policy_id)]


def wait_ended(client: DataRobotClient, policy_id: str, run_id: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = client.retraining_policy_runs.get(DEPLOYMENT, policy_id, run_id).status
        if outcome_of(status).finished:
            return status
        time.sleep(0.02)
    raise AssertionError(f"run {run_id} did not end")


# -- check ----------------------------------------------------------------------------------------------------------
def test_check_fills_the_defaults_and_keeps_the_triggers(provider: RetrainingPolicyRunProvider) -> None:
    checked = provider.check({}, {**props("p-1", triggers={"version": 3.0, "tags": ["a", None]}), "run_id": None})
    assert checked.failures == []
    assert checked.inputs == {
        "deployment_id": DEPLOYMENT,
        "policy_id": "p-1",
        "triggers": {"version": 3.0, "tags": ["a", None]},
        "wait": False,
        "wait_timeout_seconds": 3600,
    }


@pytest.mark.parametrize(
    ("inputs", "failure"),
    [
        ({"deployment_id": DEPLOYMENT}, ("policy_id", "policy_id is required")),
        ({"policy_id": "p-1"}, ("deployment_id", "deployment_id is required")),
        (
            props("p-1", wait_timeout_seconds=0.0),
            ("wait_timeout_seconds", "wait_timeout_seconds must be greater than 0, got 0"),
        ),
        (
            props("p-1", wait_timeout_seconds=90_000.0),
            ("wait_timeout_seconds", "wait_timeout_seconds must be at most 86400, got 90000"),
        ),
        (props("p-1", wait="soon"), ("wait", "wait must be true or false, got 'soon'")),
        (props("p-1", trigers={}), ("trigers", "trigers is not a property of RetrainingPolicyRun; check the spelling")),
    ],
)
def test_check_failures_name_the_property(
    provider: RetrainingPolicyRunProvider, inputs: dict[str, Any], failure: tuple[str, str]
) -> None:
    failures = [(f.property, f.reason) for f in provider.check({}, inputs).failures or []]
    assert failure in failures


def test_check_passes_unknowns_through_unjudged(provider: RetrainingPolicyRunProvider) -> None:
    checked = provider.check(
        {}, {"deployment_id": Unknown(), "policy_id": Unknown(), "triggers": {"v": Unknown(), "k": 1}}
    )
    assert checked.failures == []
    assert isinstance(checked.inputs["deployment_id"], Unknown) and isinstance(checked.inputs["policy_id"], Unknown)
    assert isinstance(checked.inputs["triggers"]["v"], Unknown) and checked.inputs["triggers"]["k"] == 1
    assert checked.inputs["wait"] is False


# -- diff (no API call) ---------------------------------------------------------------------------------------------
def test_diff_decides_replace_update_or_nothing(
    provider: RetrainingPolicyRunProvider, emulator: EmulatorServer
) -> None:
    olds = {**provider.check({}, props("p-1")).inputs, "run_id": "r-1", "status": "running"}
    emulator.control.clear_requests()

    def diff(**overrides: Any) -> tuple[bool | None, list[str]]:
        result = provider.diff("id", olds, provider.check({}, {**props("p-1"), **overrides}).inputs)
        return result.changes, list(result.replaces or [])

    assert diff() == (False, [])  # unchanged triggers: no run
    assert diff(triggers={"dataset_version": 1.0}) == (False, [])  # the engine's floats are the same numbers
    assert diff(triggers={"dataset_version": 2}) == (True, [])  # an update that starts a run
    assert diff(triggers=Unknown()) == (True, [])  # may change
    assert diff(policy_id="p-2") == (True, ["policy_id"])
    assert diff(deployment_id="other") == (True, ["deployment_id"])
    assert diff(policy_id=Unknown()) == (True, ["policy_id"])
    assert diff(wait=True) == (True, [])  # recorded by an update that starts nothing
    assert diff(wait_timeout_seconds=60.0) == (True, [])
    assert emulator.control.requests() == []


# -- create ---------------------------------------------------------------------------------------------------------
def test_create_starts_one_run_and_outputs_every_input(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    emulator.control.clear_requests()
    id_, outs = create(provider, props(policy_id))
    # The newest run before the POST (the policy's latestRun; none yet, so the run list too), then the POST.
    assert [(r["method"], r["path"].rstrip("/").rsplit("/", 1)[-1]) for r in emulator.control.requests()] == [
        ("GET", policy_id),
        ("GET", "runs"),
        ("POST", "runs"),
    ]
    assert runs(client, policy_id) == [outs["run_id"]]
    assert id_ != outs["run_id"] and len(id_) == 32  # the resource's own id: it outlives its first run
    assert outs["deployment_id"] == DEPLOYMENT and outs["policy_id"] == policy_id
    assert outs["triggers"] == {"dataset_version": 1} and outs["wait"] is False and outs["wait_timeout_seconds"] == 3600
    assert outs["status"] in {"scheduled", "running"}
    assert set(outs) >= {
        "start_time",
        "finish_time",
        "project_id",
        "model_package_id",
        "challenger_id",
        "error_message",
    }


def test_create_with_wait_returns_the_ended_run(
    provider: RetrainingPolicyRunProvider, policy_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, outs = create(provider, props(policy_id, wait=True))
    assert outs["status"] == "succeeded" and outs["error_message"] is None
    assert outs["project_id"] and outs["model_package_id"] and outs["challenger_id"]
    assert outs["finish_time"].endswith("Z")
    stderr = capsys.readouterr().err
    assert f"Started retraining run {outs['run_id']} of policy {policy_id}" in stderr
    assert f"Retraining run {outs['run_id']} of policy {policy_id}: " in stderr  # progress while waiting


def test_a_failed_run_under_wait_fails_create_with_the_runs_error(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    emulator.control.fail_next_runs(1, "Autopilot ran out of memory.")
    with pytest.raises(ResourceOperationError) as failure:
        create(provider, props(policy_id, wait=True))
    (run_id,) = runs(client, policy_id)
    assert str(failure.value) == (
        f"Retraining run {run_id} of policy {policy_id} on deployment {DEPLOYMENT} failed: Autopilot ran out of memory."
    )


def test_wait_is_bounded_and_leaves_the_run_going(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    emulator.control.set_step_seconds(30)
    started = time.monotonic()
    with pytest.raises(ResourceOperationError, match=r"Gave up waiting .* still scheduled after 0\.3 s"):
        create(provider, props(policy_id, wait=True, wait_timeout_seconds=0.3))
    assert 0.3 <= time.monotonic() - started < 3
    (run_id,) = runs(client, policy_id)
    assert client.retraining_policy_runs.get(DEPLOYMENT, policy_id, run_id).status == "scheduled"  # not cancelled


def test_a_busy_policy_is_awaited_then_run(
    provider: RetrainingPolicyRunProvider,
    policy_id: str,
    client: DataRobotClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    busy = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)  # e.g. its schedule fired
    _, outs = create(provider, props(policy_id))
    assert runs(client, policy_id) == [busy.id, outs["run_id"]]
    assert client.retraining_policy_runs.get(DEPLOYMENT, policy_id, busy.id).status == "succeeded"  # not cancelled
    assert f"already has run {busy.id} in progress" in capsys.readouterr().err


def test_a_busy_policy_is_awaited_within_the_bound(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    emulator.control.set_step_seconds(30)
    busy = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)
    with pytest.raises(ResourceOperationError) as failure:
        create(provider, props(policy_id, wait_timeout_seconds=0.3))
    assert str(failure.value).startswith(
        f"Cannot start a run of retraining policy {policy_id} on deployment {DEPLOYMENT}: run {busy.id} is still "
        "scheduled after 0.3 s and DataRobot runs one run of a policy at a time"
    )
    assert runs(client, policy_id) == [busy.id]


def test_create_explains_an_unknown_policy_and_a_missing_dataset(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient
) -> None:
    with pytest.raises(ResourceOperationError, match="the deployment or the policy was not found"):
        create(provider, props("ffffffffffffffffffffffff"))
    client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=None))
    with pytest.raises(ResourceOperationError, match="DataRobot answered 422: Retraining settings have no dataset"):
        create(provider, props(policy_id))
    assert runs(client, policy_id) == []


# -- update ---------------------------------------------------------------------------------------------------------
def test_changed_triggers_start_a_new_run_and_unchanged_start_nothing(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    id_, outs = create(provider, props(policy_id, wait=True))
    first = outs["run_id"]

    news = provider.check({}, props(policy_id, wait=True)).inputs
    assert provider.diff(id_, outs, news).changes is False  # unchanged: the engine calls nothing else

    news = provider.check({}, props(policy_id, wait=True, triggers={"dataset_version": 2})).inputs
    assert provider.diff(id_, outs, news).changes is True
    updated = provider.update(id_, outs, news).outs or {}
    assert updated["run_id"] != first and updated["status"] == "succeeded"
    assert updated["triggers"] == {"dataset_version": 2} and updated["wait"] is True
    assert runs(client, policy_id) == [first, updated["run_id"]]

    # Only wait / wait_timeout_seconds: an update that records them, with no request at all.
    emulator.control.clear_requests()
    news = provider.check({}, props(policy_id, triggers={"dataset_version": 2}, wait_timeout_seconds=60.0)).inputs
    quiet = provider.update(id_, updated, news).outs or {}
    assert emulator.control.requests() == []
    assert quiet == {**updated, "wait": False, "wait_timeout_seconds": 60}


def test_a_failed_run_under_wait_fails_the_update(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    id_, outs = create(provider, props(policy_id, wait=True))
    emulator.control.fail_next_runs(1, "Training data has no rows.")
    news = provider.check({}, props(policy_id, wait=True, triggers={"dataset_version": 2})).inputs
    with pytest.raises(ResourceOperationError, match=r"failed: Training data has no rows\.$"):
        provider.update(id_, outs, news)
    assert len(runs(client, policy_id)) == 2


# -- read -----------------------------------------------------------------------------------------------------------
def test_read_refreshes_the_status_and_returns_the_inputs(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient
) -> None:
    id_, outs = create(provider, props(policy_id))
    assert wait_ended(client, policy_id, outs["run_id"]) == "succeeded"
    read = provider.read(id_, outs)
    assert read.id == id_
    assert read.outs is not None and read.outs["status"] == "succeeded" and read.outs["model_package_id"]
    assert read.inputs == {
        "deployment_id": DEPLOYMENT,
        "policy_id": policy_id,
        "triggers": {"dataset_version": 1},
        "wait": False,
        "wait_timeout_seconds": 3600,
    }
    client.retraining_policies.delete(DEPLOYMENT, policy_id)  # the run goes with its policy
    gone = provider.read(id_, outs)
    assert gone.id == "" and gone.outs == {}


# -- delete ---------------------------------------------------------------------------------------------------------
def test_delete_during_a_run_cancels_it(
    provider: RetrainingPolicyRunProvider,
    policy_id: str,
    client: DataRobotClient,
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.control.set_step_seconds(30)
    id_, outs = create(provider, props(policy_id))
    provider.delete(id_, outs)
    assert client.retraining_policy_runs.get(DEPLOYMENT, policy_id, outs["run_id"]).status == "cancelled"
    assert f"Cancelled retraining run {outs['run_id']}" in capsys.readouterr().err


def test_delete_past_the_point_of_no_return_leaves_the_run_and_says_so(
    provider: RetrainingPolicyRunProvider,
    policy_id: str,
    client: DataRobotClient,
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.control.freeze_clock()
    id_, outs = create(provider, props(policy_id))
    emulator.control.advance_clock(0.17)  # creating the challenger: DataRobot refuses to cancel (409)
    provider.delete(id_, outs)
    assert client.retraining_policy_runs.get(DEPLOYMENT, policy_id, outs["run_id"]).status == "running"
    assert f"Left retraining run {outs['run_id']} of policy {policy_id}" in capsys.readouterr().err


def test_delete_of_an_ended_or_vanished_run_succeeds(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    id_, outs = create(provider, props(policy_id, wait=True))
    emulator.control.clear_requests()
    provider.delete(id_, outs)  # an ended run never changes: not even a request
    assert emulator.control.requests() == []
    assert client.retraining_policy_runs.get(DEPLOYMENT, policy_id, outs["run_id"]).status == "succeeded"  # not undone

    client.retraining_policies.delete(DEPLOYMENT, policy_id)
    provider.delete(id_, {**outs, "status": "running"})  # stale state, run already gone: success


# -- a start whose answer is lost -----------------------------------------------------------------------------------
def test_a_lost_start_answer_takes_the_run_it_started(
    provider: RetrainingPolicyRunProvider,
    policy_id: str,
    client: DataRobotClient,
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.control.set_step_seconds(30)  # the run is still going when the provider looks for it
    emulator.control.inject_fault(
        "POST", f"deployments/{DEPLOYMENT}/retrainingPolicies/{policy_id}/runs", drop_after_commit=True
    )
    _, outs = create(provider, props(policy_id))
    assert runs(client, policy_id) == [outs["run_id"]]
    assert f"lost its answer, but run {outs['run_id']} is in progress; using it" in capsys.readouterr().err


def test_a_lost_start_answer_never_takes_a_run_that_was_already_going(
    provider: RetrainingPolicyRunProvider, policy_id: str, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    emulator.control.set_step_seconds(30)
    busy = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)  # someone else's run, or its schedule's
    # The server refuses the start (one run at a time) and the refusal is lost on the way back.
    emulator.control.inject_fault(
        "POST", f"deployments/{DEPLOYMENT}/retrainingPolicies/{policy_id}/runs", drop_after_commit=True
    )
    with pytest.raises(ResourceOperationError) as failure:
        create(provider, props(policy_id))
    message = str(failure.value)
    assert message.startswith(f"Starting a run of retraining policy {policy_id} on deployment {DEPLOYMENT} got no")
    assert f"no run is in progress now other than run {busy.id}, which was already going before it" in message
    assert runs(client, policy_id) == [busy.id]
