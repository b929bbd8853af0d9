"""RetrainingPolicyRun through the real `python -m pulumi.dynamic` gRPC server, driven as the engine drives it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from pulumi.output import Unknown

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate
from datarobot_retraining.resources import RetrainingPolicyRunProvider
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider, unknown
from tests.provider.helpers import DEPLOYMENT

RUN_TYPE = dynamic_type("RetrainingPolicyRun")
RUN_PROVIDER = serialized_provider(RetrainingPolicyRunProvider())
URN = make_urn(RUN_TYPE, "retrain-on-deploy")


@pytest.fixture(scope="module")
def server(emulator_server: EmulatorServer) -> Iterator[ProviderServer]:
    with ProviderServer(project="retraining-run-tests") as process:
        process.configure({"datarobot:endpoint": emulator_server.api_url, "datarobot:apikey": emulator_server.token})
        yield process


@pytest.fixture
def policy_id(client: DataRobotClient, emulator: EmulatorServer) -> str:
    client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID))
    policy = client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="Run on deploy"))
    emulator.control.clear_requests()
    return policy.id


def inputs(policy_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "deployment_id": DEPLOYMENT,
        "policy_id": policy_id,
        "triggers": {"dataset_version": 1, "files": ["a.csv"]},
        **overrides,
        "__provider": RUN_PROVIDER,
    }


def methods(emulator: EmulatorServer) -> list[str]:
    return [r["method"] for r in emulator.control.requests()]


def test_run_lifecycle_as_the_engine_runs_it(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, policy_id: str
) -> None:
    # up: check -> create starts a run
    checked = server.check(URN, {}, inputs(policy_id))
    assert checked.failures == [] and checked.inputs["wait"] is False and checked.inputs["wait_timeout_seconds"] == 3600
    id_, outs = server.create(URN, checked.inputs)
    assert outs["__provider"] == RUN_PROVIDER and outs["triggers"] == {"dataset_version": 1, "files": ["a.csv"]}
    assert outs["deployment_id"] == DEPLOYMENT and outs["policy_id"] == policy_id and outs["run_id"]
    assert methods(emulator) == ["GET", "GET", "POST"]  # the newest run before the POST (none yet: the list too)
    first = outs["run_id"]

    # up again, same triggers: no diff, not one request
    emulator.control.clear_requests()
    again = server.check(URN, checked.inputs, inputs(policy_id))
    assert server.diff(URN, id_, outs, again.inputs).changes is False
    assert emulator.control.requests() == []

    # new triggers (and wait): an update that starts a new run and waits for it
    changed = server.check(URN, again.inputs, inputs(policy_id, triggers={"dataset_version": 2}, wait=True))
    diff = server.diff(URN, id_, outs, changed.inputs)
    assert diff.changes is True and diff.replaces == []
    outs = server.update(URN, id_, outs, changed.inputs)
    assert outs["run_id"] != first and outs["status"] == "succeeded" and outs["model_package_id"]
    assert outs["__provider"] == RUN_PROVIDER and outs["triggers"] == {"dataset_version": 2}
    assert [r.id for r in client.retraining_policy_runs.list(DEPLOYMENT, policy_id)] == [first, outs["run_id"]]
    assert server.wait_for_stderr(f"Started retraining run {outs['run_id']}") is not None

    # only wait changed: an update with no request; the outputs say so and keep the run
    emulator.control.clear_requests()
    quiet = server.check(URN, changed.inputs, inputs(policy_id, triggers={"dataset_version": 2}))
    assert server.diff(URN, id_, outs, quiet.inputs).changes is True
    updated = server.update(URN, id_, outs, quiet.inputs)
    assert updated == {**outs, "wait": False}
    assert emulator.control.requests() == []

    # refresh: the run as the server has it now, and the desired state back as inputs
    read = server.read(URN, id_, updated, quiet.inputs)
    assert read.id == id_ and read.outputs["status"] == "succeeded"
    assert read.inputs is not None and read.inputs["triggers"] == {"dataset_version": 2}
    assert read.inputs["policy_id"] == policy_id and read.inputs["wait"] is False

    # another policy replaces the resource
    moved = server.check(URN, quiet.inputs, inputs("ffffffffffffffffffffffff", triggers={"dataset_version": 2}))
    assert server.diff(URN, id_, updated, moved.inputs).replaces == ["policy_id"]

    # destroy while a run is in progress: the run is cancelled, and the user is told on stderr
    emulator.control.set_step_seconds(30)
    busy = server.check(URN, quiet.inputs, inputs(policy_id, triggers={"dataset_version": 3}))
    outs = server.update(URN, id_, updated, busy.inputs)
    assert outs["status"] == "scheduled"
    server.delete(URN, id_, outs)
    assert client.retraining_policy_runs.get(DEPLOYMENT, policy_id, outs["run_id"]).status == "cancelled"
    assert server.wait_for_stderr(f"Cancelled retraining run {outs['run_id']}") is not None


def test_a_failed_run_under_wait_fails_create_with_its_error(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, policy_id: str
) -> None:
    emulator.control.fail_next_runs(1, "Autopilot ran out of memory.")
    checked = server.check(URN, {}, inputs(policy_id, wait=True))
    with pytest.raises(grpc.RpcError) as failure:
        server.create(URN, checked.inputs)
    (run,) = client.retraining_policy_runs.list(DEPLOYMENT, policy_id)
    details = failure.value.details()  # type: ignore[attr-defined]
    assert (
        f"Retraining run {run.id} of policy {policy_id} on deployment {DEPLOYMENT} failed: Autopilot ran out of memory."
        in details
    )


def test_wait_is_bounded_over_the_wire(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, policy_id: str
) -> None:
    emulator.control.set_step_seconds(30)
    checked = server.check(URN, {}, inputs(policy_id, wait=True, wait_timeout_seconds=0.5))
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as failure:
        server.create(URN, checked.inputs)
    assert 0.5 <= time.monotonic() - started < 5
    assert "Gave up waiting for retraining run" in failure.value.details()  # type: ignore[attr-defined]
    (run,) = client.retraining_policy_runs.list(DEPLOYMENT, policy_id)
    assert run.status == "scheduled"


def test_preview_with_unknown_inputs(server: ProviderServer, emulator: EmulatorServer, policy_id: str) -> None:
    # A policy created in the same program: its id and a dataset version are unknown during preview.
    checked = server.check(URN, {}, inputs(unknown(), triggers={"dataset_version": unknown(), "note": "x"}))
    assert checked.failures == []
    assert isinstance(checked.inputs["policy_id"], Unknown)
    assert isinstance(checked.inputs["triggers"]["dataset_version"], Unknown)
    assert checked.inputs["triggers"]["note"] == "x" and checked.inputs["wait"] is False
    olds = {**inputs(policy_id), "wait": False, "wait_timeout_seconds": 3600, "run_id": "r", "status": "running"}
    diff = server.diff(URN, "id", olds, checked.inputs)
    assert diff.changes is True and diff.replaces == ["policy_id"]  # may replace
    assert emulator.control.requests() == []
