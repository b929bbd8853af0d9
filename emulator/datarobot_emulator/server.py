"""Run the emulator in-process: uvicorn on a background thread, a free port, a clean stop (for tests, the CLI)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import create_app
from .backend import Backend
from .control import EmulatorControl
from .faults import API_PREFIX, FaultInjector
from .store import Store
from .variants import Variants

DEFAULT_TOKEN = "emulator-token"


def ticker_interval(step_seconds: float) -> float:
    """Tick often enough that a run never lags its step by much, without spinning for long steps."""
    return min(max(step_seconds / 2, 0.01), 0.5)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before uvicorn starts, so ``port=0`` yields the real port up front and nobody can steal it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose listener says TCP, and
    # without it every answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def format_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class EmulatorServer:
    """A live emulator on ``host:port`` (``port=0``: a free port).

    ``start()`` returns once the socket accepts connections; ``stop()`` shuts uvicorn down, joins its thread and
    the ticker, and closes the database. Usable as a context manager.

    Attributes after start: ``base_url`` (``http://127.0.0.1:PORT``), ``api_url`` (``base_url + "/api/v2"``),
    ``token``, ``port``, ``control`` (an ``EmulatorControl``), ``backend`` (for white-box tests).
    """

    def __init__(
        self,
        token: str = "test-token",
        *,
        db: str = ":memory:",
        seed: str | None = "demo",
        step_seconds: float = 0.05,
        host: str = "127.0.0.1",
        port: int = 0,
        seed_deployments: int | None = None,
        reset: bool = False,
        log_level: str = "warning",
        variants: Variants | None = None,
    ) -> None:
        self.token = token
        self.db = db
        self.seed = seed
        self.step_seconds = step_seconds
        self.host = host
        self.port = port
        self._seed_deployments = seed_deployments
        self._reset = reset
        self._log_level = log_level
        self._variants = variants
        self._thread: threading.Thread | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._store: Store | None = None
        self._backend: Backend | None = None
        self._control: EmulatorControl | None = None
        self.faults = FaultInjector()

    @property
    def base_url(self) -> str:
        return f"http://{format_host(self.host)}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            raise RuntimeError("the emulator is not started")
        return self._backend

    @property
    def control(self) -> EmulatorControl:
        if self._control is None:
            raise RuntimeError("the emulator is not started")
        return self._control

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        if self._thread is not None:
            raise RuntimeError("the emulator is already started")
        self._store = Store(self.db)
        self._backend = Backend(
            self._store,
            step_seconds=self.step_seconds,
            seed=self.seed,
            seed_deployments=self._seed_deployments,
            reset=self._reset,
            variants=self._variants,
        )
        sock = bind_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self._backend, self.token, self.faults),
            lifespan="off",
            access_log=False,
            log_level=self._log_level,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._uvicorn = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"emulator-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start on {self.base_url}")
            time.sleep(0.005)
        self._backend.start_ticker(ticker_interval(self.step_seconds))
        self._control = EmulatorControl(self.base_url)
        return self

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._uvicorn = None
        if self._backend is not None:
            self._backend.stop_ticker()
            self._backend = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
