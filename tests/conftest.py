"""Shared fixtures: one live emulator per test session, reset to the demo seed before each test that asks for it.

Every test also carries the marker of its tier, the folder it is in (`tests/client/...` → `client`), so that
`pytest -m client` runs that tier alone; a new tier's folder needs its marker in pyproject.toml.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datarobot_emulator.control import EmulatorControl
from datarobot_emulator.server import EmulatorServer

EMULATOR_TOKEN = "test-token"
TESTS = Path(__file__).resolve().parent


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
