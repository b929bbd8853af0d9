"""Fixtures for transport tests: clients over a scripted `httpx.MockTransport` that sleep on a fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from datarobot_retraining.client import DataRobotClient
from tests.unit.transport_support import ENDPOINT, TOKEN, FakeTime, MakeClient, as_datarobot


@pytest.fixture(autouse=True)
def _no_datarobot_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own DATAROBOT_* variables must not leak into configuration tests.
    monkeypatch.delenv("DATAROBOT_ENDPOINT", raising=False)
    monkeypatch.delenv("DATAROBOT_API_TOKEN", raising=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(fake_time: FakeTime) -> Iterator[MakeClient]:
    """`make_client(handler, **options)`: a client over MockTransport(handler) that sleeps on the fake clock.

    Jitter is pinned to its maximum so backoff waits are exact (tests may override `_random`). The endpoint
    answers `GET version/` as DataRobot does (outside the script, which sees only the calls under test), so a
    scripted 404 reads as "not found".
    """
    clients: list[DataRobotClient] = []

    def make(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> DataRobotClient:
        client = DataRobotClient(ENDPOINT, TOKEN, transport=httpx.MockTransport(as_datarobot(handler)), **options)
        client._http._sleep = fake_time.sleep
        client._http._clock = fake_time.clock
        client._http._random = lambda: 1.0
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
