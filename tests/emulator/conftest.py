"""Fixtures for the emulator's own tests: an authenticated httpx client on the API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from datarobot_emulator.server import EmulatorServer


@pytest.fixture
def api(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """An httpx client on ``/api/v2`` with the right token; it never follows redirects (the emulator sends none)."""
    with httpx.Client(
        base_url=emulator.api_url,
        headers={"Authorization": f"Bearer {emulator.token}"},
        follow_redirects=False,
        timeout=10,
    ) as client:
        yield client
