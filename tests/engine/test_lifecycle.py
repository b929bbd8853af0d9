"""One policy's life under the real engine: unknown inputs, drift and its repair, defaults, replacement."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from tests.engine.conftest import StackFactory
from tests.examples.conftest import writes

POLICY_TYPE = "pulumi-python:dynamic/datarobot:RetrainingPolicy"
NIGHTLY: dict[str, Any] = {
    "name": "Nightly model package",
    "description": "Retrain every night at 02:00 UTC.",
    "action": "create_model_package",
    "trigger": {"type": "schedule", "schedule": {"minute": [0], "hour": [2]}},
    "autopilot_options": {"mode": "quick"},
}


def declare(policy: dict[str, Any], **extra: str) -> dict[str, str]:
    return {
        "policy": json.dumps(policy),
        "deploymentId": seed.DEMO_DEPLOYMENT_ID,
        "datasetId": seed.DEMO_DATASET_ID,
        "retrainingUserId": seed.DEMO_RETRAINING_USER_ID,
        **extra,
    }


def only_policy(client: DataRobotClient, deployment_id: str = seed.DEMO_DEPLOYMENT_ID) -> Any:
    policies = list(client.retraining_policies.list(deployment_id))
    assert len(policies) == 1, policies
    return policies[0]


@pytest.fixture
def client(emulator: EmulatorServer) -> Any:
    with DataRobotClient(emulator.api_url, emulator.token) as live:
        yield live


def test_preview_with_a_deployment_id_unknown_until_apply(
    program: Callable[[str], Path], engine_stack: StackFactory, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    stack = engine_stack(program("policy"), declare(NIGHTLY, deploymentFromOutput="true"))
    preview = stack.preview()
    assert preview.changes == {"create": 4}, preview.output
    assert writes(emulator) == []  # check neither validated nor sent the unknown id
    assert stack.up().changes == {"create": 4}
    assert only_policy(client).name == NIGHTLY["name"]


def test_out_of_band_edit_is_refreshed_shown_and_restored(
    program: Callable[[str], Path], engine_stack: StackFactory, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    stack = engine_stack(program("policy"), declare(NIGHTLY))
    stack.up()
    assert stack.preview(expect_no_changes=True).changes == {"same": 3}
    policy = only_policy(client)
    schedule = {"minute": [0], "hour": [5], "dayOfMonth": ["*"], "month": ["*"], "dayOfWeek": ["*"]}
    httpx.patch(
        f"{emulator.api_url}/deployments/{seed.DEMO_DEPLOYMENT_ID}/retrainingPolicies/{policy.id}/",
        json={"trigger": {"schedule": schedule}},
        headers={"Authorization": f"Bearer {emulator.token}"},
    ).raise_for_status()

    refreshed = stack.refresh()
    assert refreshed.changes == {"same": 2, "update": 1}, refreshed.output
    diff = stack.preview(diff=True)
    assert diff.changes == {"same": 2, "update": 1}, diff.output
    # The engine names the nested property and both values.
    assert "schedule" in diff.output and "hour" in diff.output, diff.output
    assert "5 => 2" in diff.output, diff.output

    assert stack.up().changes == {"same": 2, "update": 1}
    restored = only_policy(client).trigger.schedule
    assert restored is not None and restored.hour == [2]
    assert stack.preview(expect_no_changes=True).changes == {"same": 3}


def test_removed_field_returns_to_default_and_deployment_change_replaces(
    program: Callable[[str], Path], engine_stack: StackFactory, client: DataRobotClient
) -> None:
    folder = program("policy")
    stack = engine_stack(folder, declare(NIGHTLY))
    stack.up()
    assert only_policy(client).description == NIGHTLY["description"]

    without_description = {k: v for k, v in NIGHTLY.items() if k != "description"}
    stack.set_config({f"engine-policy:{k}": v for k, v in declare(without_description).items()})
    assert stack.up().changes == {"same": 2, "update": 1}
    assert only_policy(client).description in (None, "")
    assert stack.preview(expect_no_changes=True).changes == {"same": 3}

    moved = declare(without_description) | {"deploymentId": seed.DEMO_DEPLOYMENT_2_ID}
    stack.set_config({f"engine-policy:{k}": v for k, v in moved.items()})
    replaced = stack.up()
    assert replaced.changes == {"same": 1, "replace": 2}, replaced.output
    assert list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)) == []
    assert only_policy(client, seed.DEMO_DEPLOYMENT_2_ID).name == NIGHTLY["name"]
