"""Helpers for transport tests: a scripted `httpx.MockTransport` handler, response steps and a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from datarobot_retraining.client import DataRobotClient

ENDPOINT = "https://dr.example.com/api/v2"
TOKEN = "tok-SECRET-0123456789abcdef"

Step = Callable[[httpx.Request], httpx.Response] | BaseException


def reply(
    status: int = 200,
    json: Any = None,
    *,
    text: str | None = None,
    headers: dict[str, str] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A step that answers with a fresh response each time (responses must not be shared between requests)."""

    def build(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        if json is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=json, headers=headers)

    return build


class Script:
    """A MockTransport handler playing steps in order (the last one repeats) and recording every request."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, BaseException):
            raise step
        return step(request)

    @property
    def calls(self) -> int:
        return len(self.requests)


class FakeTime:
    """A monotonic clock that only moves when the client sleeps (or a handler says time passed)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


VERSION = {"major": 2, "minor": 49, "versionString": "2.49.0"}


def as_datarobot(handler: Callable[[httpx.Request], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    """`handler`, except that the client's endpoint check (`GET version/`, no query) answers as the DataRobot API
    does (reference §1); a test calling `version/` itself, with a query, still reaches its script."""

    def routed(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/v2/version/" and not request.url.query:
            return httpx.Response(200, json=VERSION)
        return handler(request)

    return routed


#: The `make_client` fixture: `make_client(handler, **options) -> DataRobotClient`.
MakeClient = Callable[..., DataRobotClient]
