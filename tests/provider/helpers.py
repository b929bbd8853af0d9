"""Shared test data for provider tests: the demo deployment and the notebook's drift policy on it."""

from __future__ import annotations

from typing import Any

from datarobot_emulator import seed
from pulumi_datarobot_retraining.testing import samples

DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID


def notebook_policy(**overrides: Any) -> dict[str, Any]:
    """The drift-tracking policy of DataRobot's retraining notebook on the demo deployment (`samples`)."""
    return samples.notebook_policy(**{"deployment_id": DEPLOYMENT, **overrides})
