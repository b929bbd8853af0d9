"""The event loop never waits on SQLite: a slow store call holds up neither other requests nor the control routes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from datarobot_emulator.seed import DEMO_DEPLOYMENT_2_ID
from datarobot_emulator.server import EmulatorServer
from datarobot_emulator.store import Store, Tx

SLOW_ID = DEMO_DEPLOYMENT_2_ID


@pytest.fixture
def slow_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Reading deployment SLOW_ID blocks inside its transaction until released (a slow disk, a lock held by another
    process sharing the file). Yields (entered, release)."""
    entered, release = threading.Event(), threading.Event()
    real_get = Tx.obj_get

    def obj_get(tx: Tx, kind: str, obj_id: str) -> Any:
        if kind == "deployment" and obj_id == SLOW_ID:
            entered.set()
            release.wait(30)
        return real_get(tx, kind, obj_id)

    monkeypatch.setattr(Tx, "obj_get", obj_get)
    try:
        yield entered, release
    finally:
        release.set()


def _api_read(emulator: EmulatorServer) -> httpx.Response:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    return httpx.get(f"{emulator.api_url}/deployments/{SLOW_ID}/", headers=headers, timeout=30)


def _control_write(emulator: EmulatorServer) -> httpx.Response:
    body = {"kind": "service", "status": "warning"}
    return httpx.post(f"{emulator.base_url}/_emulator/deployments/{SLOW_ID}/health/", json=body, timeout=30)


@pytest.mark.parametrize("slow_request", [_api_read, _control_write], ids=["api", "control"])
def test_a_slow_store_call_does_not_delay_requests_that_need_no_store(
    emulator: EmulatorServer,
    slow_store: tuple[threading.Event, threading.Event],
    slow_request: Callable[[EmulatorServer], httpx.Response],
) -> None:
    entered, release = slow_store
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(slow_request, emulator)
        assert entered.wait(10), "the slow request never reached the store"
        # Were the store call on the event loop, these would wait for `release` and time out.
        version = httpx.get(
            f"{emulator.api_url}/version/", headers={"Authorization": f"Bearer {emulator.token}"}, timeout=5
        )
        health = httpx.get(f"{emulator.base_url}/_emulator/health/", timeout=5)
        clock = httpx.get(f"{emulator.base_url}/_emulator/clock/", timeout=5)
        assert (version.status_code, health.status_code, clock.status_code) == (200, 200, 200)
        assert not slow.done(), "the slow request finished before it was released"
        release.set()
        assert slow.result(timeout=30).status_code == 200


def test_a_store_transaction_refuses_to_run_on_the_event_loop() -> None:
    store = Store()

    async def on_the_loop() -> None:
        with store.transaction() as tx:
            tx.meta_get("seed")

    # Not asyncio.run: it would leave this thread without a current event loop, which later tests' code expects.
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="must not run on the event loop"):
            loop.run_until_complete(on_the_loop())
        with store.transaction() as tx:  # off the loop it works
            assert tx.meta_get("seed") is None
    finally:
        loop.close()
        store.close()
