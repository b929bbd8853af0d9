"""Fixtures for client tests: a `DataRobotClient` on the freshly reset live emulator, with recorded sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datarobot_emulator.seed import DEMO_DATASET_ID, DEMO_DEPLOYMENT_ID, DEMO_RETRAINING_USER_ID
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingSettingsUpdate


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for; retries do not really sleep, so fault tests stay fast."""
    return []


@pytest.fixture
def client(emulator: EmulatorServer, sleeps: list[float]) -> Iterator[DataRobotClient]:
    with DataRobotClient(emulator.api_url, emulator.token, timeout=10) as api:
        api._http._sleep = sleeps.append
        yield api


@pytest.fixture
def ready_deployment(client: DataRobotClient) -> str:
    """The demo deployment with a retraining dataset and user, so policies of any trigger can be created."""
    client.retraining_settings.update(
        DEMO_DEPLOYMENT_ID,
        RetrainingSettingsUpdate(dataset_id=DEMO_DATASET_ID, retraining_user_id=DEMO_RETRAINING_USER_ID),
    )
    return DEMO_DEPLOYMENT_ID
