"""Shared fixtures: one live emulator per test session, reset to the demo seed before each test that asks for it;
the real Pulumi engine, for every test that needs it.

Every test also carries the marker of its tier, the folder it is in (`tests/client/...` → `client`), so that
`pytest -m client` runs that tier alone; a new tier's folder needs its marker in pyproject.toml.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from datarobot_emulator.control import EmulatorControl
from datarobot_emulator.server import EmulatorServer
from pulumi_datarobot_retraining.testing.engine import find_pulumi

EMULATOR_TOKEN = "test-token"
TESTS = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.resolve()
        if TESTS in path.parents:
            # An unregistered name fails here under --strict-markers, so no tier goes unmarked.
            item.add_marker(getattr(pytest.mark, path.relative_to(TESTS).parts[0]))


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    """A real emulator on a free localhost port for the whole session (in-memory db, 50 ms run steps).

    Prefer ``emulator``: this one is not reset between tests.
    """
    with EmulatorServer(token=EMULATOR_TOKEN, db=":memory:", seed="demo", step_seconds=0.05) as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    """The session emulator, reset to the ``demo`` seed: real clock, no faults, empty request log."""
    emulator_server.control.reset("demo")
    return emulator_server


@pytest.fixture
def emulator_token(emulator_server: EmulatorServer) -> str:
    return emulator_server.token


@pytest.fixture
def emulator_control(emulator: EmulatorServer) -> EmulatorControl:
    """The control client of a freshly reset emulator."""
    return emulator.control


@pytest.fixture(scope="session")
def pulumi_binary() -> Path:
    """The `pulumi` CLI `make engine` built (or one on PATH). Without one the test skips, except with CI=true: CI
    must run every engine test, so there a missing engine fails the run."""
    found = find_pulumi(ROOT)
    if found is None:
        message = "no Pulumi engine: run `make engine` (builds it from the Go module proxy) or put `pulumi` on PATH"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI must run the real-engine tier, but there is {message}.")
        pytest.skip(message)
    return found
