"""Drives the real `python -m pulumi.dynamic` provider server over gRPC exactly as the Pulumi engine does."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import ResourceProvider, serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from datarobot_retraining.client.polling import Deadline, poll
from datarobot_retraining.errors import WaitTimeoutError

PROVIDER_KEY = "__provider"


def serialized_provider(provider: ResourceProvider) -> str:
    """`__provider` exactly as `pulumi.dynamic.Resource.__init__` builds it for a resource's inputs."""
    text, _contains_secrets = _serialize(True, serialize_provider, provider)
    return str(text)


def dynamic_type(name: str, module: str = "datarobot") -> str:
    return f"pulumi-python:dynamic/{module}:{name}"


def make_urn(type_token: str, name: str, *, stack: str = "local", project: str = "project") -> str:
    return f"urn:pulumi:{stack}::{project}::{type_token}::{name}"


@dataclass
class CheckOutcome:
    inputs: dict[str, Any]
    failures: list[tuple[str, str]]


@dataclass
class DiffOutcome:
    changes: bool | None
    replaces: list[str]
    delete_before_replace: bool


@dataclass
class ReadOutcome:
    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None


@dataclass
class ProviderServer:
    """One `python -u -m pulumi.dynamic` process, spoken to as the engine speaks to it.

    Values go through `rpc.serialize_properties` / `rpc.deserialize_properties`, so they arrive as the engine
    delivers them (numbers as floats, unknowns as `Unknown`, nested nulls kept). Stdout and stderr are drained
    on threads (a full pipe would block the server) and kept in `stderr_lines` for inspection; `on_stderr`, when
    given, also receives each stderr line as it arrives (the provider's progress while it waits on a run). A line
    may arrive just after the answer of the call that printed it: `wait_for_stderr` waits for one (bounded).
    """

    project: str = "project"
    cwd: str | os.PathLike[str] | None = None
    env: Mapping[str, str] | None = None
    python: str = sys.executable
    stderr_lines: list[str] = field(default_factory=list)
    on_stderr: Callable[[str], None] | None = None
    _process: subprocess.Popen[bytes] | None = None
    _channel: grpc.Channel | None = None
    _stub: Any = None
    _loop: asyncio.AbstractEventLoop | None = None
    # Callers may drive the server from several threads (as the engine does); the loop is not re-entrant.
    _loop_lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, timeout: float = 60.0) -> ProviderServer:
        """Start the provider process (once: starting a started server is a no-op, so `start()` then `with` is safe)."""
        if self._process is not None:
            return self
        env = dict(os.environ if self.env is None else self.env)
        env["PULUMI_PROJECT"] = self.project
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(self.cwd) if self.cwd else None,
            env=env,
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        port_line = self._process.stdout.readline().decode().strip()
        if not port_line.isdigit():
            err = self._process.stderr.read().decode(errors="replace") if self._process.poll() is not None else ""
            raise RuntimeError(f"the pulumi.dynamic server did not print its port (got {port_line!r}): {err}")
        stderr_sink: _Sink = self.stderr_lines if self.on_stderr is None else _Tee(self.stderr_lines, self.on_stderr)
        for stream, sink in ((self._process.stdout, None), (self._process.stderr, stderr_sink)):
            threading.Thread(target=_drain, args=(stream, sink), daemon=True).start()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port_line}")
        grpc.channel_ready_future(self._channel).result(timeout=timeout)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        # A private loop: asyncio.run() would close the default loop that Pulumi's mocks rely on later.
        self._loop = asyncio.new_event_loop()
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            stop_process(self._process)
            self._process = None
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    def __enter__(self) -> ProviderServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- the engine's calls ----------------------------------------------------------------------------------
    def configure(self, config: Mapping[str, str]) -> None:
        """Send the whole stack config, as the engine does before any resource call (secrets decrypted)."""
        self._stub.Configure(
            provider_pb2.ConfigureRequest(
                variables=dict(config),
                args=self._struct(dict(config)),
                acceptSecrets=True,
                acceptResources=True,
            )
        )

    def check(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> CheckOutcome:
        response = self._stub.Check(
            provider_pb2.CheckRequest(urn=urn, olds=self._struct(olds), news=self._struct(news))
        )
        return CheckOutcome(
            inputs=rpc.deserialize_properties(response.inputs, True),
            failures=[(f.property, f.reason) for f in response.failures],
        )

    def diff(self, urn: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffOutcome:
        response = self._stub.Diff(
            provider_pb2.DiffRequest(id=id_, urn=urn, olds=self._struct(olds), news=self._struct(news))
        )
        changes = {
            provider_pb2.DiffResponse.DIFF_SOME: True,
            provider_pb2.DiffResponse.DIFF_NONE: False,
        }.get(response.changes)
        return DiffOutcome(changes, list(response.replaces), bool(response.deleteBeforeReplace))

    def create(self, urn: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._stub.Create(provider_pb2.CreateRequest(urn=urn, properties=self._struct(inputs)))
        return response.id, rpc.deserialize_properties(response.properties)

    def read(
        self, urn: str, id_: str, outputs: Mapping[str, Any], inputs: Mapping[str, Any] | None = None
    ) -> ReadOutcome:
        request = provider_pb2.ReadRequest(id=id_, urn=urn, properties=self._struct(outputs))
        if inputs is not None:
            request.inputs.CopyFrom(self._struct(inputs))
        response = self._stub.Read(request)
        inputs_out = rpc.deserialize_properties(response.inputs) if response.HasField("inputs") else None
        return ReadOutcome(response.id, rpc.deserialize_properties(response.properties), inputs_out)

    def update(self, urn: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        response = self._stub.Update(
            provider_pb2.UpdateRequest(id=id_, urn=urn, olds=self._struct(olds), news=self._struct(news))
        )
        return dict(rpc.deserialize_properties(response.properties))

    def delete(self, urn: str, id_: str, outputs: Mapping[str, Any]) -> None:
        self._stub.Delete(provider_pb2.DeleteRequest(id=id_, urn=urn, properties=self._struct(outputs)))

    def wait_for_stderr(self, text: str, *, after: int = 0, timeout: float = 10.0) -> str | None:
        """The first stderr line from index `after` on that contains `text`, waiting up to `timeout` seconds for it
        (the drain thread may read it just after the call's answer); None if none came."""

        def found() -> str | None:
            return next((line for line in self.stderr_lines[after:] if text in line), None)

        try:
            return poll(
                found, until=lambda line: line is not None, deadline=Deadline.after(timeout), interval=(0.02, 0.1)
            )
        except WaitTimeoutError:
            return None

    def _struct(self, props: Mapping[str, Any]) -> struct_pb2.Struct:
        assert self._loop is not None, "start() the server first"
        with self._loop_lock:
            return self._loop.run_until_complete(rpc.serialize_properties(dict(props), {}))


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Ask a child process to stop (SIGTERM), and kill it if it has not within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Sink(Protocol):
    def append(self, line: str, /) -> None: ...


@dataclass
class _Tee:
    """Keeps each line and hands it on as it arrives."""

    lines: list[str]
    receiver: Callable[[str], None]

    def append(self, line: str, /) -> None:
        self.lines.append(line)
        self.receiver(line)


def _drain(stream: Any, sink: _Sink | None) -> None:
    for raw in iter(stream.readline, b""):
        if sink is not None:
            sink.append(raw.decode(errors="replace").rstrip("\n"))


def unknown() -> Any:
    """The value the engine sends for an input that is not known yet (preview)."""
    return rpc.UNKNOWN


__all__ = [
    "PROVIDER_KEY",
    "CheckOutcome",
    "DiffOutcome",
    "ProviderServer",
    "ReadOutcome",
    "dynamic_type",
    "make_urn",
    "serialized_provider",
    "stop_process",
    "unknown",
]
