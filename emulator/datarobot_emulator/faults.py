"""Fault injection and the request log: an ASGI middleware in front of the API that fails, delays or cuts requests."""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/v2"
CONTROL_PREFIX = "/_emulator"
REQUEST_LOG_LIMIT = 200_000
#: The longest wait a fault may add (latency, commit delay, Retry-After, drip interval): an hour is past any test.
MAX_FAULT_SECONDS = 3600.0


class DroppedConnection(Exception):  # noqa: N818 - it names what happens, not an error of the emulator
    """Raised after a committed response has been cut short, so uvicorn closes the socket mid-answer."""


class _QuietDrops(logging.Filter):
    """uvicorn logs an ASGI exception with a traceback; an injected drop is intended: keep the log clean."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def _normalise(path: str) -> str:
    if not path.startswith("/"):
        path = f"{API_PREFIX}/{path}"
    return path if path.endswith("/") else f"{path}/"


@dataclass
class Fault:
    """What to do to the next ``count`` requests matching ``method`` and ``path_pattern``.

    Wait ``latency`` seconds, then either answer ``status`` (with ``Retry-After`` if given) without touching
    state, or, with ``drop_after_commit``, let the request commit and cut the connection before the answer is
    complete. ``commit_delay`` and ``drip_interval`` are described where they are declared.
    """

    method: str
    path_pattern: str
    count: int
    status: int | None = None
    retry_after: float | None = None
    latency: float | None = None
    drop_after_commit: bool = False
    # Read the whole request first, then wait this long, then run it: a client that gives up meanwhile leaves a
    # change that still commits (a real server finishing work its caller stopped waiting for).
    commit_delay: float | None = None
    # Run the request, send the answer's headers at once, then its body one byte every this many seconds: a server
    # whose every gap is short but whose answer never seems to end.
    drip_interval: float | None = None
    id: int = 0
    hits: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        # Globs against the path with a trailing slash, so "deployments/*/retrainingPolicies" matches both forms.
        return fnmatch.fnmatchcase(_normalise(path), _normalise(self.path_pattern))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "pathPattern": self.path_pattern,
            "remaining": self.count,
            "hits": self.hits,
            "status": self.status,
            "retryAfter": self.retry_after,
            "latency": self.latency,
            "dropAfterCommit": self.drop_after_commit,
            "commitDelay": self.commit_delay,
            "dripInterval": self.drip_interval,
        }

    def effects(self) -> int:
        """How many of the things a fault can do this one does (none makes it pointless)."""
        effects = (self.status is not None, self.latency, self.drop_after_commit, self.commit_delay, self.drip_interval)
        return sum(bool(effect) for effect in effects)


class FaultInjector:
    """Armed faults (consumed first-match, in order) and the log of API requests with the status they got."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_LIMIT)
        # API requests being answered right now (touched only on the event loop).
        self._in_flight = 0

    def add(self, fault: Fault) -> Fault:
        if fault.effects() == 0:
            raise ValueError("a fault needs a status, a latency, drop_after_commit, a commit_delay or a drip_interval")
        if fault.count < 1:
            raise ValueError("a fault needs count >= 1")
        with self._lock:
            fault.method = fault.method.upper()
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    fault.hits += 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def begin(self) -> None:
        self._in_flight += 1

    def end(self) -> None:
        self._in_flight -= 1

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Let API requests in progress finish (bounded), so a reset or a cleared log starts truly clean.

        Without it, a slow request of one test (a latency fault its client gave up on) lands in the next test's
        log. Waits on the event loop (never blocks it: the requests it waits for run on the same loop).
        """
        deadline = asyncio.get_running_loop().time() + timeout
        while self._in_flight > 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.005)

    def record(self, method: str, path: str, status: int) -> None:
        self._log.append({"method": method, "path": path, "status": status})

    def requests(self) -> list[dict[str, Any]]:
        return list(self._log)

    def clear_requests(self) -> None:
        self._log.clear()


class FaultMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): it must control the raw response messages to cut one short."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        fault = self.injector.take(method, path)
        status_seen = 500
        self.injector.begin()

        async def logging_send(message: Message) -> None:
            nonlocal status_seen
            if message["type"] == "http.response.start":
                status_seen = int(message["status"])
            await send(message)

        try:
            if fault is not None and fault.latency:
                await asyncio.sleep(fault.latency)
            if fault is not None and fault.status is not None:
                await self._answer(fault, logging_send)
            elif fault is not None and fault.drop_after_commit:
                committed = [0]
                try:
                    await self._drop_after_commit(scope, receive, send, committed)
                finally:
                    # The log shows the status the handler committed, though the client never received it.
                    status_seen = committed[0]
            elif fault is not None and fault.commit_delay:
                await self._commit_late(scope, receive, logging_send, fault.commit_delay)
            elif fault is not None and fault.drip_interval:
                await self._drip(scope, receive, logging_send, fault.drip_interval)
            else:
                await self.app(scope, receive, logging_send)
        finally:
            self.injector.end()
            self.injector.record(method, path, status_seen)

    async def _commit_late(self, scope: Scope, receive: Receive, send: Send, delay: float) -> None:
        # Buffer the body before waiting: once the client has gone, reading it would fail and nothing would commit.
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        await asyncio.sleep(delay)
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, {"type": "http.disconnect"})

        async def send_if_still_there(message: Message) -> None:
            with contextlib.suppress(Exception):  # the client may have hung up: the change is committed anyway
                await send(message)

        await self.app(scope, replayed, send_if_still_there)

    async def _drip(self, scope: Scope, receive: Receive, send: Send, interval: float) -> None:
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # the request runs (and commits) in full; only its answer is slow
        start = next(m for m in held if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        await send(start)
        for index in range(len(body)):
            await send({"type": "http.response.body", "body": body[index : index + 1], "more_body": True})
            # Waiting on receive() rather than sleeping: a client that gave up ends the drip at once.
            with contextlib.suppress(asyncio.TimeoutError):
                if (await asyncio.wait_for(receive(), interval))["type"] == "http.disconnect":
                    return
        await send({"type": "http.response.body", "body": b""})

    async def _answer(self, fault: Fault, send: Send) -> None:
        assert fault.status is not None
        body = json.dumps({"message": f"Injected fault: HTTP {fault.status}."}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if fault.retry_after is not None:
            value = fault.retry_after
            text = str(int(value)) if float(value).is_integer() else str(value)
            headers.append((b"retry-after", text.encode()))
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _drop_after_commit(self, scope: Scope, receive: Receive, send: Send, committed: list[int]) -> None:
        # Run the real handler to completion (its transaction commits), holding its answer back.
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        start = next((m for m in held if m["type"] == "http.response.start"), None)
        body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
        committed[0] = int(start["status"]) if start else 0
        if start is not None:
            # Announce the full length, send half: the client sees the answer begin and the socket die. An empty
            # answer (204) cannot carry a length, so it is announced as a 200 with a body that never arrives.
            status = int(start["status"]) if body else 200
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(max(len(body), 2)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        raise DroppedConnection(f"dropped {scope['method']} {scope['path']} after commit")
