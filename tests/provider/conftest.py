"""Fixtures for provider tests: providers configured against the live emulator, and ready-made settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from tests.provider.helpers import DEPLOYMENT


def configure(provider: Any, emulator: EmulatorServer, extra: dict[str, str] | None = None) -> Any:
    """Configure a provider the way the engine does: the whole stack config, keys with their namespace."""
    stack = {"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token, **(extra or {})}
    provider.configure(ConfigureRequest(Config(stack, "project")))
    # Tests run the emulator with millisecond steps; poll runs accordingly.
    provider.run_poll_interval = (0.02, 0.1)
    # Lost-answer creates look again after this pause; the emulator's lost answers are already settled.
    provider.create_settle_seconds = 0.05
    return provider


@pytest.fixture
def policy_provider(emulator: EmulatorServer) -> RetrainingPolicyProvider:
    provider: RetrainingPolicyProvider = configure(RetrainingPolicyProvider(), emulator)
    return provider


@pytest.fixture
def settings_provider(emulator: EmulatorServer) -> RetrainingSettingsProvider:
    provider: RetrainingSettingsProvider = configure(RetrainingSettingsProvider(), emulator)
    return provider


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[DataRobotClient]:
    with DataRobotClient(emulator.api_url, emulator.token) as api:
        yield api


@pytest.fixture
def with_settings(settings_provider: RetrainingSettingsProvider) -> dict[str, Any]:
    """The demo deployment with a retraining dataset and user, as a policy needs."""
    checked = settings_provider.check(
        {},
        {
            "deployment_id": DEPLOYMENT,
            "dataset_id": seed.DEMO_DATASET_ID,
            "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
        },
    )
    assert checked.failures == []
    outs: dict[str, Any] = settings_provider.create(checked.inputs).outs or {}
    return outs
