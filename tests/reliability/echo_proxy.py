"""A misbehaving HTTP proxy on a localhost socket: forwards to the emulator, or echoes the request's token back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx


@dataclass(frozen=True)
class Echo:
    """The error page the proxy sends instead of forwarding: a status, a content type and the body text."""

    status: int
    content_type: str
    body: str


EchoRule = Callable[[str, str, str], Echo | None]
"""(method, path, Authorization header) → the page to send instead of forwarding, or None to forward."""


class EchoProxy:
    """Sits between a client and the emulator, as a corporate proxy or gateway would.

    Every request is forwarded unchanged unless `rule` answers it: then the proxy sends the rule's page, which is
    built from the request's own Authorization header (some proxies and debug pages really do echo headers).
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rule: EchoRule = lambda _method, _path, _authorization: None
        self.echoed = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass  # the request log of a test proxy is noise on the test's stderr

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                authorization = self.headers.get("Authorization", "")
                echo = proxy.rule(self.command, self.path, authorization)
                if echo is not None:
                    proxy.echoed += 1
                    self._send(echo.status, {"Content-Type": echo.content_type}, echo.body.encode())
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
                upstream = proxy.client.request(self.command, proxy.upstream + self.path, headers=headers, content=body)
                kept = {
                    k: v
                    for k, v in upstream.headers.items()
                    if k.lower() not in {"content-length", "transfer-encoding", "connection", "content-encoding"}
                }
                self._send(upstream.status_code, kept, upstream.content)

            def _send(self, status: int, headers: dict[str, str], content: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle  # noqa: N815 - http.server's naming

        self.client = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> EchoProxy:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.client.close()
