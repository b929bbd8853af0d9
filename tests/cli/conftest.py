"""Fixtures for command-line tests: the command run in-process against the live emulator, with ready policies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.cli import app, waiting
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate

DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID
# A complete schedule, as the API takes one (wire keys): every day at 00:00 UTC.
EVERY_DAY_AT_MIDNIGHT = {"minute": [0], "hour": [0], "dayOfMonth": ["*"], "month": ["*"], "dayOfWeek": ["*"]}


@dataclass
class Outcome:
    """What one invocation left behind: exit code and the two streams, kept apart."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def error_line(self) -> str:
        """The single stderr line of a failure (asserting that there is exactly one, and no traceback)."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got: {self.stderr!r}"
        assert lines[0].startswith("error: ") and "Traceback" not in self.stderr
        return lines[0]


@dataclass
class Cli:
    """`datarobot-retraining` in-process (Typer's CliRunner), pointed at the emulator by its global flags."""

    emulator: EmulatorServer

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Outcome:
        argv = ["--endpoint", self.emulator.api_url, "--token", self.emulator.token, *args]
        return self.raw(*argv, env=env, input=input)

    def raw(self, *argv: str, env: dict[str, str] | None = None, input: str | None = None) -> Outcome:
        """Without the global flags: configuration from `env` (or nothing); `input` is what the user types."""
        clean_env: dict[str, str | None] = {"DATAROBOT_ENDPOINT": None, "DATAROBOT_API_TOKEN": None, **(env or {})}
        result = CliRunner().invoke(app, list(argv), env=clean_env, input=input)
        return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    # Emulator runs take 4 steps of 50 ms; poll at that pace instead of the interactive 0.2 s → 2 s.
    monkeypatch.setattr(waiting, "POLL_INTERVAL", (0.02, 0.1))


@pytest.fixture
def cli(emulator: EmulatorServer) -> Cli:
    return Cli(emulator)


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[DataRobotClient]:
    with DataRobotClient(emulator.api_url, emulator.token) as api:
        yield api


@dataclass
class Policies:
    """The policies made for a test: a nightly schedule, the notebook's drift policy, a manual one."""

    nightly: str
    drift: str
    manual: str


@pytest.fixture
def policies(client: DataRobotClient) -> Policies:
    client.retraining_settings.update(
        DEPLOYMENT,
        RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID, retraining_user_id=seed.DEMO_RETRAINING_USER_ID),
    )

    def create(body: dict[str, object]) -> str:
        return client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate.model_validate(body)).id

    return Policies(
        nightly=create(
            {
                "name": "Nightly retrain",
                "action": "create_model_package",
                "trigger": {"type": "schedule", "schedule": EVERY_DAY_AT_MIDNIGHT},
            }
        ),
        drift=create(
            {
                "name": "Drift tracking",
                "action": "create_challenger",
                "trigger": {
                    "type": "data_drift_decline",
                    "schedule": EVERY_DAY_AT_MIDNIGHT,
                    "statusDeclinesToWarning": True,
                },
            }
        ),
        manual=create({"name": "Manual", "action": "create_challenger"}),
    )
