"""Helpers for the emulator's tests: ready-made retraining settings, policy creation, a fixed clock."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx

from datarobot_emulator.seed import DEMO_DATASET_ID, DEMO_DEPLOYMENT_ID, DEMO_USER_ID
from datarobot_emulator.server import EmulatorServer

# A Wednesday, on the hour: schedules in these tests are written relative to it.
T0 = datetime(2025, 1, 1, 0, 0, tzinfo=timezone.utc)


def policies_url(deployment_id: str = DEMO_DEPLOYMENT_ID) -> str:
    return f"/deployments/{deployment_id}/retrainingPolicies/"


def configure(api: httpx.Client, deployment_id: str = DEMO_DEPLOYMENT_ID, **extra: Any) -> None:
    """Retraining settings with the demo dataset and retraining user (what every policy needs)."""
    body = {"datasetId": DEMO_DATASET_ID, "retrainingUserId": DEMO_USER_ID, **extra}
    response = api.patch(f"/deployments/{deployment_id}/retrainingSettings/", json=body)
    assert response.status_code == 204, response.text


def create_policy(api: httpx.Client, deployment_id: str = DEMO_DEPLOYMENT_ID, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "policy")
    response = api.post(policies_url(deployment_id), json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def schedule(**keys: list[Any]) -> dict[str, list[Any]]:
    """A complete five-key schedule (the emulator refuses a partial one): the keys given, `["*"]` for the others."""
    return {key: keys.get(key, ["*"]) for key in ("minute", "hour", "dayOfMonth", "month", "dayOfWeek")}


def freeze_at_t0(emulator: EmulatorServer) -> None:
    emulator.control.set_clock(T0, frozen=True)
