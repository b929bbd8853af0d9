"""The offline runner: runs a Pulumi program without the Pulumi CLI, sending our dynamic resources to the real provider.

It is a test tool, not a Pulumi replacement. It runs the program under `pulumi.runtime.set_mocks`; each dynamic
resource registration goes to a real `python -m pulumi.dynamic` provider process over gRPC in the order the engine
uses (check → create, or check → diff → update / replace; delete for resources that left the program), and the
results become the resources' outputs. State is a JSON file between runs. Resources of other packages (for example
`pulumi_datarobot.Deployment`) get outputs from a function the caller supplies. What it does not do: secrets
encryption, resource options such as `ignore_changes` or `protect`, parallel deletes, imports, or anything else of the
engine's that these resources do not need.
"""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import grpc
import pulumi
import pulumi.runtime
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.sync_await import _sync_await

from pulumi_datarobot_retraining.testing.provider_server import PROVIDER_KEY, ProviderServer

DYNAMIC_PREFIX = "pulumi-python:dynamic"
STATE_VERSION = 1

MockOutputs = Callable[[pulumi.runtime.MockResourceArgs], tuple[str, dict[str, Any]]]
"""Answers the registration of a resource that is not a dynamic resource: (id, outputs)."""


class OfflineRunError(Exception):
    """A step of the run failed; the message is what the Pulumi engine would have shown."""


@dataclass
class Step:
    """One planned or applied change: `op` is create, update, replace, delete, same or read."""

    op: str
    type: str
    name: str
    detail: str = ""

    @property
    def short_type(self) -> str:
        return self.type.rsplit(":", 1)[-1]


@dataclass
class RunResult:
    steps: list[Step]
    outputs: dict[str, Any]

    def count(self, op: str) -> int:
        return sum(1 for step in self.steps if step.op == op)


@dataclass
class _Resource:
    key: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dynamic: bool


def default_mock_outputs(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    """Outputs for a resource of another package: its inputs, and an id made from its name."""
    return (args.resource_id or f"{args.name}-id"), dict(args.inputs)


@dataclass
class OfflineRunner:
    """Runs one program against one state file.

    `program` is a directory holding `__main__.py`, a `.py` file, or a function that declares resources; it and
    `state_file` may be relative paths, resolved once when the runner is made, against the current directory.
    `config` is the stack config (`"datarobot:apikey"`, `"<project>:<key>"`, ...); it reaches the program through
    `pulumi.Config` and the provider through `Configure`, as under the engine. Config values of keys in
    `secret_keys` are never printed. Resources of other packages get their outputs from `mock_outputs`.
    """

    program: str | os.PathLike[str] | Callable[[], None]
    state_file: str | os.PathLike[str]
    config: Mapping[str, str] = field(default_factory=dict)
    project: str = "project"
    stack: str = "local"
    secret_keys: frozenset[str] = frozenset({"datarobot:apikey"})
    mock_outputs: MockOutputs = default_mock_outputs
    out: TextIO | None = None
    provider_env: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        # Resolved once, against the caller's working directory: the program runs inside its own folder (as under
        # the engine), so a relative path read later would point somewhere else and the state would be lost.
        if not callable(self.program):
            self.program = Path(self.program).resolve()
        self.state_file = Path(self.state_file).resolve()

    # -- public API ------------------------------------------------------------------------------------------------
    def preview(self) -> RunResult:
        """What `up` would do, without changing anything (check and diff only)."""
        with self._provider() as server:
            return self._run(server, apply=False)

    def up(self) -> RunResult:
        """Print the plan, then apply it and return the applied steps and the stack outputs."""
        with self._provider() as server:
            self._say(f"Offline runner (not the Pulumi engine): stack '{self.stack}' of project '{self.project}'")
            plan = self._run(server, apply=False)
            self._print_steps("Plan", plan.steps)
            result = self._run(server, apply=True)
            self._print_steps("Applied", result.steps)
            self._print_outputs(result.outputs)
            return result

    def refresh(self) -> RunResult:
        """Read every dynamic resource in the state; forget the ones that are gone."""
        resources = self._load()
        steps: list[Step] = []
        with self._provider() as server:
            for resource in list(resources.values()):
                if not resource.dynamic:
                    continue
                outcome = server.read(self._urn(resource), resource.id, resource.outputs, resource.inputs)
                if not outcome.id:
                    del resources[resource.key]
                    steps.append(Step("delete", resource.type, resource.name, "gone"))
                else:
                    changed = outcome.outputs != resource.outputs
                    resource.outputs = outcome.outputs
                    if outcome.inputs is not None:
                        resource.inputs = outcome.inputs
                    steps.append(Step("update" if changed else "same", resource.type, resource.name, "refreshed"))
                self._save(resources)
        self._print_steps("Refreshed", steps)
        return RunResult(steps, {})

    def destroy(self) -> RunResult:
        """Delete every resource in the state, newest first (dependents before what they depend on)."""
        resources = self._load()
        steps: list[Step] = []
        with self._provider() as server:
            for resource in reversed(list(resources.values())):
                self._delete(server, resource)
                del resources[resource.key]
                self._save(resources)
                steps.append(Step("delete", resource.type, resource.name))
        self._print_steps("Destroyed", steps)
        return RunResult(steps, {})

    # -- one pass of the program -----------------------------------------------------------------------------------
    def _run(self, server: ProviderServer, *, apply: bool) -> RunResult:
        state = _Pass(self, server, self._load(), apply=apply)

        class Mocks(pulumi.runtime.Mocks):
            def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
                try:
                    return state.register(args)
                except BaseException as error:
                    state.errors.append(error)
                    raise

            def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
                return {}, None

        outputs = self._execute(Mocks(), preview=not apply)
        if state.errors:
            raise state.errors[0]
        state.finish()
        return RunResult(state.steps, outputs if apply else {})

    def _delete(self, server: ProviderServer, resource: _Resource) -> None:
        if not resource.dynamic:
            return
        try:
            server.delete(self._urn(resource), resource.id, resource.outputs)
        except grpc.RpcError as error:
            raise OfflineRunError(f"deleting {resource.type} {resource.name}: {_error_text(error)}") from None

    # -- the Pulumi runtime under mocks ------------------------------------------------------------------------------
    def _execute(self, mocks: pulumi.runtime.Mocks, *, preview: bool) -> dict[str, Any]:
        settings.ROOT.set(None)
        set_all_config(dict(self.config), sorted(self.secret_keys))
        pulumi.runtime.set_mocks(mocks, project=self.project, stack=self.stack, preview=preview)
        settings.SETTINGS.rpc_manager.clear()
        settings.SETTINGS.outputs.clear()
        root = settings.get_root_resource()
        with self._program_context() as program:
            _sync_await(pulumi.runtime.stack.run_pulumi_func(program))
        exported: dict[str, Any] = {}
        if root is not None and not preview:
            for name, value in getattr(root, "outputs", {}).items():
                exported[name] = _sync_await(pulumi.Output.from_input(value).future())
        return exported

    @contextlib.contextmanager
    def _program_context(self) -> Iterator[Callable[[], None]]:
        if callable(self.program):
            yield self.program
            return
        path = Path(self.program).resolve()
        main = path / "__main__.py" if path.is_dir() else path
        folder = main.parent
        old_cwd, old_path = os.getcwd(), list(sys.path)
        os.chdir(folder)
        sys.path.insert(0, str(folder))
        try:

            def run_program() -> None:
                runpy.run_path(str(main), run_name="__main__")

            yield run_program
        finally:
            os.chdir(old_cwd)
            sys.path[:] = old_path

    @contextlib.contextmanager
    def _provider(self) -> Iterator[ProviderServer]:
        cwd = Path(self.program).resolve() if not callable(self.program) else Path.cwd()
        with ProviderServer(project=self.project, cwd=cwd if cwd.is_dir() else cwd.parent, env=self.provider_env) as s:
            s.configure(dict(self.config))
            yield s

    # -- state -------------------------------------------------------------------------------------------------------
    def _load(self) -> dict[str, _Resource]:
        path = Path(self.state_file)
        if not path.exists():
            return {}
        data = json.loads(path.read_text())
        return {r["key"]: _Resource(**r) for r in data.get("resources", [])}

    def _save(self, resources: Mapping[str, _Resource]) -> None:
        path = Path(self.state_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": STATE_VERSION,
            "project": self.project,
            "stack": self.stack,
            "resources": [vars(r) for r in resources.values()],
        }
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
        temporary.replace(path)

    def _urn(self, resource: _Resource) -> str:
        return self._urn_for(resource.type, resource.name)

    def _urn_for(self, type_: str, name: str) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    # -- printing ------------------------------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    def _print_steps(self, title: str, steps: list[Step]) -> None:
        symbols = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " ", "read": ">"}
        self._say(f"{title}:")
        for step in steps:
            if step.op == "same" and not step.type.startswith(DYNAMIC_PREFIX):
                continue
            detail = f"  ({step.detail})" if step.detail else ""
            self._say(f"  {symbols.get(step.op, '?'):>2} {step.op:<8} {step.short_type:<22} {step.name}{detail}")
        counts = {op: sum(1 for s in steps if s.op == op) for op in ("create", "update", "replace", "delete")}
        summary = ", ".join(f"{n} to {op}" if title == "Plan" else f"{n} {op}d" for op, n in counts.items() if n)
        self._say(f"  {summary or 'no changes'}")

    def _print_outputs(self, outputs: Mapping[str, Any]) -> None:
        if not outputs:
            return
        self._say("Outputs:")
        for name, value in outputs.items():
            self._say(f"  {name}: {json.dumps(value, default=str)}")


@dataclass
class _Pass:
    """One run of the program: the state as loaded, what the program registered, and the steps taken."""

    runner: OfflineRunner
    server: ProviderServer
    resources: dict[str, _Resource]
    apply: bool
    seen: set[str] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)
    replaced: list[_Resource] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    # The runtime registers resources from several threads at once.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        key = f"{args.typ}::{args.name}"
        with self.lock:
            self.seen.add(key)
            old = self.resources.get(key)
        if not args.typ.startswith(DYNAMIC_PREFIX):
            id_, outputs = self.runner.mock_outputs(args)
            self._record(Step("same" if old else "create", args.typ, args.name),
                         _Resource(key, args.typ, args.name, id_, dict(args.inputs), outputs, False))  # fmt: skip
            return id_, outputs
        if args.resource_id:
            return self._read(key, args)

        urn = self.runner._urn_for(args.typ, args.name)
        checked = self.server.check(urn, old.inputs if old else {}, dict(args.inputs))
        if checked.failures:
            problems = "; ".join(f"property {p} has a problem: {reason}" for p, reason in checked.failures)
            raise OfflineRunError(f"{args.typ} {args.name}: {problems}")
        if old is None:
            return self._create(key, args, urn, checked.inputs)
        return self._change(key, args, urn, old, checked.inputs)

    def _read(self, key: str, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """`Resource.get()`: read an existing object; it is not managed, so it never enters the state."""
        urn = self.runner._urn_for(args.typ, args.name)
        outcome = self.server.read(urn, str(args.resource_id), dict(args.inputs), dict(args.inputs))
        if not outcome.id:
            raise OfflineRunError(f"{args.typ} {args.name}: {args.resource_id} does not exist")
        with self.lock:
            self.seen.discard(key)
            self.steps.append(Step("read", args.typ, args.name))
        return outcome.id, _public(outcome.outputs)

    def _create(
        self, key: str, args: pulumi.runtime.MockResourceArgs, urn: str, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        step = Step("create", args.typ, args.name)
        if not self.apply:
            self._record(step, None)
            return "", _unknown_outputs(inputs)
        id_, outputs = _call(args, lambda: self.server.create(urn, inputs))
        resource = _Resource(key, args.typ, args.name, id_, inputs, outputs, True)
        self._record(step, resource)
        return resource.id, _public(resource.outputs)

    def _change(
        self, key: str, args: pulumi.runtime.MockResourceArgs, urn: str, old: _Resource, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        diff = self.server.diff(urn, old.id, old.outputs, inputs)
        if diff.replaces:
            step = Step("replace", args.typ, args.name, ", ".join(diff.replaces))
        elif diff.changes:
            step = Step("update", args.typ, args.name, ", ".join(_changed_keys(old.inputs, inputs)))
        else:
            step = Step("same", args.typ, args.name)
        if not self.apply or step.op == "same":
            self._record(step, None)
            return old.id, _public(old.outputs)
        if step.op == "update":
            outputs = _call(args, lambda: self.server.update(urn, old.id, old.outputs, inputs))
            resource = _Resource(key, args.typ, args.name, old.id, inputs, outputs, True)
        else:
            if diff.delete_before_replace:
                self.runner._delete(self.server, old)
            else:
                self.replaced.append(old)  # deleted once the whole program has run, as the engine does
            fresh = self.server.check(urn, {}, dict(args.inputs)).inputs
            id_, outputs = _call(args, lambda: self.server.create(urn, fresh))
            resource = _Resource(key, args.typ, args.name, id_, fresh, outputs, True)
        self._record(step, resource)
        return resource.id, _public(resource.outputs)

    def _record(self, step: Step, resource: _Resource | None) -> None:
        with self.lock:
            self.steps.append(step)
            if resource is not None:
                self.resources[resource.key] = resource
                if self.apply:
                    self.runner._save(self.resources)

    def finish(self) -> None:
        """After the program: delete what was replaced, and what the program no longer declares."""
        if self.apply:
            for resource in self.replaced:
                self.runner._delete(self.server, resource)
        for key in [k for k in list(self.resources) if k not in self.seen]:
            resource = self.resources[key]
            if self.apply:
                self.runner._delete(self.server, resource)
                del self.resources[key]
                self.runner._save(self.resources)
            self.steps.append(Step("delete", resource.type, resource.name))


def _call(args: pulumi.runtime.MockResourceArgs, operation: Callable[[], Any]) -> Any:
    try:
        return operation()
    except grpc.RpcError as error:
        raise OfflineRunError(f"{args.typ} {args.name}: {_error_text(error)}") from None


def _public(outputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k != PROVIDER_KEY}


def _unknown_outputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """In a preview, a new resource's outputs are its inputs; everything else is not known yet."""
    return {k: (rpc.UNKNOWN if v is None else v) for k, v in _public(inputs).items()}


def _changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    keys = (set(old) | set(new)) - {PROVIDER_KEY}
    return sorted(k for k in keys if old.get(k) != new.get(k))


def _error_text(error: grpc.RpcError) -> str:
    """The provider's exception text: the last line of the traceback the SDK server sends back."""
    details = error.details() if hasattr(error, "details") else str(error)
    lines = [line for line in (details or "").strip().splitlines() if line.strip()]
    if not lines:
        return str(error)
    last = lines[-1]
    return last.split(": ", 1)[1] if ": " in last and last.split(": ", 1)[0].replace(".", "").isidentifier() else last


__all__ = ["MockOutputs", "OfflineRunError", "OfflineRunner", "RunResult", "Step", "default_mock_outputs"]
