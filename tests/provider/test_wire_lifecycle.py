"""Full lifecycles through the real `python -m pulumi.dynamic` gRPC server, driven as the Pulumi engine drives it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyUpdate
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from pulumi_datarobot_retraining.testing import (
    ProviderServer,
    dynamic_type,
    make_urn,
    serialized_provider,
    unknown,
)
from tests.provider.helpers import DEPLOYMENT, notebook_policy

POLICY_TYPE = dynamic_type("RetrainingPolicy")
SETTINGS_TYPE = dynamic_type("RetrainingSettings")
POLICY_PROVIDER = serialized_provider(RetrainingPolicyProvider())
SETTINGS_PROVIDER = serialized_provider(RetrainingSettingsProvider())


@pytest.fixture(scope="module")
def server(emulator_server: EmulatorServer) -> Iterator[ProviderServer]:
    with ProviderServer(project="retraining-tests") as process:
        process.configure({"datarobot:endpoint": emulator_server.api_url, "datarobot:apikey": emulator_server.token})
        yield process


@pytest.fixture
def engine(server: ProviderServer, emulator: EmulatorServer) -> ProviderServer:
    """The module's provider process, with the emulator reset and retraining settings in place."""
    checked = server.check(
        make_urn(SETTINGS_TYPE, "settings"),
        {},
        {
            "deployment_id": DEPLOYMENT,
            "dataset_id": seed.DEMO_DATASET_ID,
            "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
            "__provider": SETTINGS_PROVIDER,
        },
    )
    assert checked.failures == []
    server.create(make_urn(SETTINGS_TYPE, "settings"), checked.inputs)
    emulator.control.clear_requests()
    return server


def policy(**overrides: Any) -> dict[str, Any]:
    return {**notebook_policy(**overrides), "__provider": POLICY_PROVIDER}


def test_full_policy_lifecycle_as_the_engine_runs_it(
    engine: ProviderServer, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    urn = make_urn(POLICY_TYPE, "drift")
    log = emulator.control

    # up: check -> create
    checked = engine.check(urn, {}, policy())
    assert checked.failures == []
    policy_id, outs = engine.create(urn, checked.inputs)
    assert outs["policy_id"] == policy_id and outs["__provider"] == POLICY_PROVIDER
    assert [r["method"] for r in log.requests()] == ["GET", "POST"]  # the name check, then the create
    assert outs["provenance"] == "created"

    # up again, nothing changed: check -> diff says no change, and not one request is made
    log.clear_requests()
    again = engine.check(urn, checked.inputs, policy())
    assert engine.diff(urn, policy_id, outs, again.inputs).changes is False
    assert log.requests() == []

    # edit in place: one PATCH, outputs from the answer
    edited = engine.check(urn, again.inputs, policy(description="weekly review", action="create_model_package"))
    diff = engine.diff(urn, policy_id, outs, edited.inputs)
    assert diff.changes is True and diff.replaces == []
    outs = engine.update(urn, policy_id, outs, edited.inputs)
    assert outs["description"] == "weekly review" and outs["action"] == "create_model_package"
    assert [r["method"] for r in log.requests()] == ["PATCH"]

    # refresh after an out-of-band change: outputs and inputs show the server's value; the next diff sees it
    client.retraining_policies.update(DEPLOYMENT, policy_id, RetrainingPolicyUpdate(action="model_replacement"))
    read = engine.read(urn, policy_id, outs, edited.inputs)
    assert read.id == policy_id and read.outputs["action"] == "model_replacement"
    assert read.inputs is not None and read.inputs["action"] == "model_replacement"
    assert engine.diff(urn, policy_id, read.outputs, edited.inputs).changes is True
    outs = engine.update(urn, policy_id, read.outputs, edited.inputs)
    assert client.retraining_policies.get(DEPLOYMENT, policy_id).action == "create_model_package"

    # replace on deployment_id: diff names it, the new one is created before the old one is deleted
    other = seed.DEMO_DEPLOYMENT_2_ID
    engine.create(
        make_urn(SETTINGS_TYPE, "settings-2"),
        engine.check(
            make_urn(SETTINGS_TYPE, "settings-2"),
            {},
            {
                "deployment_id": other,
                "dataset_id": seed.DEMO_DATASET_ID,
                "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
                "__provider": SETTINGS_PROVIDER,
            },
        ).inputs,
    )
    moved = engine.check(urn, edited.inputs, policy(deployment_id=other, description="weekly review"))
    diff = engine.diff(urn, policy_id, outs, moved.inputs)
    assert diff.changes is True and diff.replaces == ["deployment_id"] and diff.delete_before_replace is False
    new_id, new_outs = engine.create(urn, engine.check(urn, {}, moved.inputs).inputs)
    engine.delete(urn, policy_id, outs)
    assert [p.id for p in client.retraining_policies.list(DEPLOYMENT)] == []
    assert [p.id for p in client.retraining_policies.list(other)] == [new_id]

    # refresh after an out-of-band delete: gone; destroy of something gone succeeds
    client.retraining_policies.delete(other, new_id)
    gone = engine.read(urn, new_id, new_outs, moved.inputs)
    # An empty id is what tells the engine the resource is gone (the SDK server always re-adds __provider).
    assert gone.id == "" and set(gone.outputs) <= {"__provider"}
    engine.delete(urn, new_id, new_outs)


def test_settings_lifecycle_over_the_wire(engine: ProviderServer, client: DataRobotClient) -> None:
    urn = make_urn(SETTINGS_TYPE, "settings")
    props = {
        "deployment_id": DEPLOYMENT,
        "dataset_id": seed.DEMO_DATASET_2_ID,
        "prediction_environment_id": seed.DEMO_PREDICTION_ENVIRONMENT_ID,
        "__provider": SETTINGS_PROVIDER,
    }
    checked = engine.check(urn, {}, props)
    id_, outs = engine.create(urn, checked.inputs)
    assert id_ == DEPLOYMENT and outs["dataset_name"] and outs["prediction_environment_name"]
    assert engine.diff(urn, id_, outs, checked.inputs).changes is False
    engine.delete(urn, id_, outs)
    server = client.retraining_settings.get(DEPLOYMENT)
    assert server.dataset is None and server.prediction_environment is None


def test_preview_with_unknown_deployment_passes_check_and_may_replace(engine: ProviderServer) -> None:
    urn = make_urn(POLICY_TYPE, "drift")
    policy_id, outs = engine.create(urn, engine.check(urn, {}, policy()).inputs)
    preview = engine.check(urn, {}, policy(deployment_id=unknown()))
    assert preview.failures == []
    assert type(preview.inputs["deployment_id"]).__name__ == "Unknown"
    diff = engine.diff(urn, policy_id, outs, preview.inputs)
    assert diff.changes is True and diff.replaces == ["deployment_id"]


def test_check_failures_reach_the_engine_with_property_paths(engine: ProviderServer) -> None:
    urn = make_urn(POLICY_TYPE, "bad")
    outcome = engine.check(
        urn, {}, policy(trigger={"type": "schedule", "schedule": {"hour": [25.0]}}, project_options={"reps": 1.0})
    )
    paths = dict(outcome.failures)
    assert set(paths) == {"trigger.schedule.hour[0]", "project_options.reps"}
    assert "hour values must be 0 to 23" in paths["trigger.schedule.hour[0]"]


def test_create_errors_reach_the_engine_as_one_sentence(engine: ProviderServer) -> None:
    import grpc

    urn = make_urn(POLICY_TYPE, "orphan")
    checked = engine.check(urn, {}, policy(deployment_id="0" * 24))
    with pytest.raises(grpc.RpcError) as caught:
        engine.create(urn, checked.inputs)
    details = caught.value.details() or ""
    assert f"Cannot create retraining policy 'MultiClass Drift Tracking Policy': deployment {'0' * 24} was not" in (
        details
    )


def test_serialized_provider_is_a_small_class_reference_without_secrets(emulator: EmulatorServer) -> None:
    for provider in (POLICY_PROVIDER, SETTINGS_PROVIDER):
        assert len(provider) <= 200
        raw = base64.b64decode(provider)
        assert emulator.token.encode() not in raw
        assert b"datarobot_retraining.resources." in raw
        assert b"httpx" not in raw


def test_concurrent_creates_on_four_workers(engine: ProviderServer, emulator: EmulatorServer) -> None:
    def create_one(index: int) -> str:
        urn = make_urn(POLICY_TYPE, f"p{index}")
        checked = engine.check(urn, {}, policy(name=f"concurrent {index}"))
        id_, _ = engine.create(urn, checked.inputs)
        return id_

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(create_one, range(4)))
    assert len(set(ids)) == 4
    assert sum(1 for r in emulator.control.requests() if r["method"] == "POST") == 4


def test_no_token_in_outputs_or_provider_stderr(engine: ProviderServer, emulator: EmulatorServer) -> None:
    urn = make_urn(POLICY_TYPE, "drift")
    policy_id, outs = engine.create(urn, engine.check(urn, {}, policy()).inputs)
    engine.delete(urn, policy_id, outs)
    assert emulator.token not in json.dumps(outs)
    assert all(emulator.token not in line for line in engine.stderr_lines)
