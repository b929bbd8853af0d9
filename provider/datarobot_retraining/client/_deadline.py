"""A deadline for the whole of one HTTP request: every connect, write and read of it ends by then, however the bytes
trickle in.

httpx's timeouts bound each socket operation, so a server that sends one byte a second never trips a 30-second read
timeout and keeps a call open for as long as it likes. Here every socket operation of a request is given only the
time left until the request's deadline; past it, the operation raises httpcore's own timeout, which httpx maps to
`httpx.ConnectTimeout` / `WriteTimeout` / `ReadTimeout` as usual, so the retry policy treats it like any timeout.

The hook is httpcore's network backend (its streams see every read and write); httpx exposes no public way to set
it on a client, so `install` sets it on the connection pools the client already has, including those for proxies.
The deadline itself travels in a context variable: per thread, and absent (no limit) outside `deadline()`.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

import httpcore
import httpx

__all__ = ["deadline", "install"]

T = TypeVar("T")

# (monotonic instant the request must be done by, the seconds it was given): the latter only for the message.
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("datarobot_retraining_request_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation of requests sent inside this block ends at most `seconds` after the block began."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _bounded(operation: Callable[[float | None], T], timeout: float | None, expired: type[Exception]) -> T:
    """Run `operation(timeout)` with the timeout cut to the time left; `expired` (with a clear message) past it."""
    current = _DEADLINE.get()
    if current is None:
        return operation(timeout)
    until, seconds = current
    left = until - time.monotonic()
    message = f"no complete answer within the request's {seconds:g}-second deadline"
    if left <= 0:
        raise expired(message)
    try:
        return operation(left if timeout is None else min(timeout, left))
    except expired:
        if time.monotonic() >= until:
            raise expired(message) from None
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the current request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(lambda limit: self._stream.read(max_bytes, limit), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _bounded(lambda limit: self._stream.write(buffer, limit), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        upgraded = _bounded(
            lambda limit: self._stream.start_tls(ssl_context, server_hostname, limit), timeout, httpcore.ConnectTimeout
        )
        return _DeadlineStream(upgraded)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens connections within the current request's deadline and hands out streams that keep to it."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            lambda limit: self._backend.connect_tcp(host, port, limit, local_address, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            lambda limit: self._backend.connect_unix_socket(path, limit, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install(client: httpx.Client) -> int:
    """Make `deadline()` apply to the requests `client` sends; returns how many connection pools now keep to it.

    Covers the client's own transport and those it mounted (proxies from the environment). A transport without an
    httpcore pool (an `httpx.MockTransport`) opens no sockets and needs no deadline.
    """
    transports: list[Any] = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    installed = 0
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _DeadlineBackend):
            installed += 1
        elif isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
            installed += 1
    return installed
