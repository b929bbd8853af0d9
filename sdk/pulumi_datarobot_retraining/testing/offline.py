"""The offline runner: runs a Pulumi program without the Pulumi CLI, sending our dynamic resources to the real provider.

It is a test tool, not a Pulumi replacement. It runs the program under `pulumi.runtime.set_mocks`; each dynamic
resource registration goes to a real `python -m pulumi.dynamic` provider process over gRPC in the order the engine
uses (check → create, or check → diff → update / replace; delete for resources that left the program), and the
results become the resources' outputs. State is a JSON file between runs. Resources of other packages (for example
`pulumi_datarobot.Deployment`) get outputs from a function the caller supplies. What it does not do: secrets
encryption, resource options such as `ignore_changes` or `protect`, parallel deletes, imports, or anything else of the
engine's that these resources do not need.

It prints as Pulumi does: the plan with each changed property's path and its old → new value, the provider's
progress lines as they come, every check problem of every resource in a preview, and refresh as a read of drift.
"""

from __future__ import annotations

import contextlib
import json
import math
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
import yaml
from pulumi.config import ConfigMissingError
from pulumi.output import Unknown
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.sync_await import _sync_await

from datarobot_retraining.resources.retraining_policy import ADOPTION_NOTICE
from pulumi_datarobot_retraining.testing.provider_server import PROVIDER_KEY, ProviderServer

DYNAMIC_PREFIX = "pulumi-python:dynamic"
STATE_VERSION = 1
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")

MockOutputs = Callable[[pulumi.runtime.MockResourceArgs], tuple[str, dict[str, Any]]]
"""Answers the registration of a resource that is not a dynamic resource: (id, outputs)."""


class OfflineRunError(Exception):
    """A step of the run failed; the message is one sentence, what the Pulumi engine would have shown.

    `problems` lists every check failure a preview found (one entry per resource property); `missing_config` names
    the config key the program asked for and did not get.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None, missing_config: str | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
        self.missing_config = missing_config


_ABSENT: Any = object()


@dataclass(frozen=True)
class PropertyChange:
    """One property of a resource as a plan shows it: `trigger.schedule.hour: [2] → [3]`."""

    path: str
    old: Any
    new: Any
    replaces: bool = False

    @property
    def symbol(self) -> str:
        if self.old is _ABSENT or self.old is None:
            return "+"
        if self.new is _ABSENT or self.new is None:
            return "-"
        return "~"

    def __str__(self) -> str:
        forces = " (forces replacement)" if self.replaces else ""
        if self.symbol == "+":
            return f"+ {self.path}: {_shown(self.new)}{forces}"
        if self.symbol == "-":
            return f"- {self.path}: {_shown(self.old)}{forces}"
        return f"~ {self.path}: {_shown(self.old)} → {_shown(self.new)}{forces}"


@dataclass
class Step:
    """One planned or applied change.

    `op` is create, adopt (a create with `adopt_existing`: it takes over a same-name policy when there is one),
    update, replace, delete, same, read (`Resource.get`), and for refresh: drift (the server's copy changed outside
    the program) or gone (it no longer exists; dropped from the state). `changes` are the properties that differ,
    `problems` the check failures of a preview.
    """

    op: str
    type: str
    name: str
    detail: str = ""
    changes: list[PropertyChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def short_type(self) -> str:
        return _short(self.type)


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

    @property
    def short_type(self) -> str:
        return _short(self.type)


def default_mock_outputs(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    """Outputs for a resource of another package: its inputs, and an id made from its name."""
    return (args.resource_id or f"{args.name}-id"), dict(args.inputs)


@dataclass(frozen=True)
class PulumiProject:
    """What the runner needs from a project folder's `Pulumi.yaml`: the name, the program, the config defaults."""

    name: str
    program: Path
    config_defaults: dict[str, str]

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> PulumiProject | None:
        """The project of `folder`, or None when it has no Pulumi.yaml."""
        root = Path(folder).resolve()
        found = next((root / name for name in PROJECT_FILES if (root / name).is_file()), None)
        if found is None:
            return None
        document = yaml.safe_load(found.read_text()) or {}
        name = str(document.get("name") or root.name)
        defaults: dict[str, str] = {}
        for key, spec in (document.get("config") or {}).items():
            value = spec.get("default", _ABSENT) if isinstance(spec, Mapping) else spec
            if value is not _ABSENT:
                defaults[qualified_key(str(key), name)] = _config_text(value)
        return cls(name, (root / str(document.get("main") or ".")).resolve(), defaults)


def qualified_key(key: str, project: str) -> str:
    """A config key as the engine stores it: a key without a namespace belongs to the project (`deploymentId`)."""
    return key if ":" in key else f"{project}:{key}"


def _config_text(value: Any) -> str:
    # Config values are strings on the wire; YAML's booleans and numbers are spelled as Pulumi spells them.
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class OfflineRunner:
    """Runs one program against one state file.

    `program` is a directory holding `__main__.py`, a `.py` file, or a function that declares resources; it and
    `state_file` may be relative paths, resolved once when the runner is made, against the current directory.
    `config` is the stack config (`"datarobot:apikey"`, `"<project>:<key>"`, ...); it reaches the program through
    `pulumi.Config` and the provider through `Configure`, as under the engine. Config values of keys in
    `secret_keys` are never printed. Resources of other packages get their outputs from `mock_outputs`.
    `OfflineRunner.for_project(folder, ...)` takes the project name, program and config defaults from a Pulumi.yaml.
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
    _print_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        # Resolved once, against the caller's working directory: the program runs inside its own folder (as under
        # the engine), so a relative path read later would point somewhere else and the state would be lost.
        if not callable(self.program):
            self.program = Path(self.program).resolve()
        self.state_file = Path(self.state_file).resolve()

    @classmethod
    def for_project(
        cls,
        folder: str | os.PathLike[str],
        state_file: str | os.PathLike[str] | None = None,
        config: Mapping[str, str] | None = None,
        *,
        project: str | None = None,
        stack: str = "local",
        **options: Any,
    ) -> OfflineRunner:
        """A runner for a project folder, as `pulumi up` in that folder would see it.

        With a Pulumi.yaml there: its `name`, its `main` program and its config defaults (overridden by `config`).
        Without one, the folder is the program and `project` (default: the folder's name) the project. Config keys
        without a namespace belong to the project. The state defaults to `<folder>/.offline-state/<stack>.json`.
        """
        root = Path(folder).resolve()
        found = PulumiProject.load(root)
        name = found.name if found is not None else (project or root.name)
        settings_: dict[str, str] = dict(found.config_defaults) if found is not None else {}
        settings_.update({qualified_key(k, name): v for k, v in (config or {}).items()})
        program = found.program if found is not None else root
        state = state_file if state_file is not None else root / ".offline-state" / f"{stack}.json"
        return cls(program, state, settings_, project=name, stack=stack, **options)

    # -- public API ------------------------------------------------------------------------------------------------
    def preview(self) -> RunResult:
        """Print what `up` would do, without changing anything (check and diff only); every problem at once."""
        self._header()
        with self._provider() as server:
            plan = self._run(server, apply=False)
        self._print_plan(plan.steps)
        self._raise_problems(plan.steps)
        return plan

    def up(self) -> RunResult:
        """Print the plan, then apply it and return the applied steps and the stack outputs."""
        self._header()
        with self._provider() as server:
            plan = self._run(server, apply=False)
            self._print_plan(plan.steps)
            self._raise_problems(plan.steps)
            self._say("Applied:")
            result = self._run(server, apply=True)
            self._print_summary(result.steps, applied=True)
            self._print_outputs(result.outputs)
            return result

    def refresh(self) -> RunResult:
        """Read every dynamic resource in the state: record drift, forget the ones that are gone."""
        self._header()
        resources = self._load()
        steps: list[Step] = []
        self._say("Refreshed:")
        with self._provider() as server:
            for resource in list(resources.values()):
                if not resource.dynamic:
                    continue
                try:
                    outcome = server.read(self._urn(resource), resource.id, resource.outputs, resource.inputs)
                except grpc.RpcError as error:
                    raise OfflineRunError(
                        f"Refreshing {resource.short_type} {resource.name} failed: {_error_text(error)}"
                    ) from None
                step = _refreshed(resource, outcome.id, outcome.outputs, outcome.inputs)
                if step.op == "gone":
                    del resources[resource.key]
                else:
                    resource.outputs = outcome.outputs
                    if outcome.inputs is not None:
                        resource.inputs = outcome.inputs
                self._save(resources)
                self._print_step(step, applied=True)
                steps.append(step)
        self._print_summary(steps, applied=True)
        return RunResult(steps, {})

    def destroy(self) -> RunResult:
        """Delete every resource in the state, newest first (dependents before what they depend on)."""
        self._header()
        resources = self._load()
        steps: list[Step] = []
        self._say("Destroyed:")
        with self._provider() as server:
            for resource in reversed(list(resources.values())):
                self._delete(server, resource)
                del resources[resource.key]
                self._save(resources)
                step = Step("delete", resource.type, resource.name)
                self._print_step(step, applied=True)
                steps.append(step)
        self._print_summary(steps, applied=True)
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

        try:
            outputs = self._execute(Mocks(), preview=not apply)
        except Exception as error:
            if state.errors:
                raise state.errors[0] from None
            raise _program_error(error) from error
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
            problem = _error_text(error)
            raise OfflineRunError(f"Deleting {resource.short_type} {resource.name} failed: {problem}") from None

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
        path = Path(self.program)
        main = path / "__main__.py" if path.is_dir() else path
        if not main.is_file():
            raise OfflineRunError(f"There is no program at {main}: give a folder holding __main__.py, or a .py file.")
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
        cwd = Path(self.program) if not callable(self.program) else Path.cwd()
        with ProviderServer(
            project=self.project,
            cwd=cwd if cwd.is_dir() else cwd.parent,
            env=self.provider_env,
            on_stderr=self._provider_said,
        ) as server:
            server.configure(dict(self.config))
            yield server

    def _provider_said(self, line: str) -> None:
        # The provider's stderr is what the engine shows under the resource being worked on: its progress lines.
        if line.strip():
            self._say(f"      {line.rstrip()}")

    # -- state -------------------------------------------------------------------------------------------------------
    def _load(self) -> dict[str, _Resource]:
        path = Path(self.state_file)
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text())
            return {r["key"]: _Resource(**r) for r in data.get("resources", [])}
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise OfflineRunError(f"The state file {path} cannot be read ({error}); it is not the runner's.") from None

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
        with self._print_lock:
            print(text, file=self.out or sys.stdout, flush=True)

    def _header(self) -> None:
        self._say(
            f"Offline runner (not the Pulumi engine): stack '{self.stack}' of project '{self.project}', "
            f"state {self.state_file}"
        )

    def _print_plan(self, steps: list[Step]) -> None:
        self._say("Plan:")
        for step in steps:
            self._print_step(step, applied=False)
        self._print_summary(steps, applied=False)

    def _print_step(self, step: Step, *, applied: bool) -> None:
        if step.op == "same" and not (step.type.startswith(DYNAMIC_PREFIX) and step.detail):
            return
        verb = _PAST.get(step.op, step.op) if applied else step.op
        detail = f"  ({step.detail})" if step.detail else ""
        lines = [f"  {_SYMBOLS.get(step.op, '?'):>2} {verb:<9} {step.short_type:<22} {step.name}{detail}"]
        lines += [f"      {change}" for change in step.changes]
        lines += [f"      ! {problem}" for problem in step.problems]
        self._say("\n".join(lines))

    def _print_summary(self, steps: list[Step], *, applied: bool) -> None:
        counts: dict[str, int] = {}
        for step in steps:
            if step.op != "same" or step.type.startswith(DYNAMIC_PREFIX):
                counts[step.op] = counts.get(step.op, 0) + 1
        parts = [
            f"{counts[op]} {_PAST.get(op, op)}" if applied else f"{counts[op]} to {op}"
            for op in ("create", "adopt", "update", "replace", "delete")
            if counts.get(op)
        ]
        refreshed = (("drift", "with drift"), ("gone", "gone"))
        parts += [f"{counts[op]} {label}" for op, label in refreshed if counts.get(op)]
        if counts.get("same"):
            parts.append(f"{counts['same']} unchanged")
        problems = sum(len(step.problems) for step in steps)
        if problems:
            parts.append(f"{problems} problem{'s' if problems != 1 else ''}")
        self._say(f"  Resources: {', '.join(parts) or 'none'}")

    def _print_outputs(self, outputs: Mapping[str, Any]) -> None:
        if not outputs:
            return
        self._say("Outputs:")
        for name, value in outputs.items():
            self._say(f"  {name}: {json.dumps(_plain(value), default=str)}")

    def _raise_problems(self, steps: list[Step]) -> None:
        problems = [f"{step.short_type} {step.name}: {problem}" for step in steps for problem in step.problems]
        if not problems:
            return
        resources = sum(1 for step in steps if step.problems)
        raise OfflineRunError(
            f"The preview found {len(problems)} problem{'s' if len(problems) != 1 else ''} in {resources} "
            f"resource{'s' if resources != 1 else ''}: {'; '.join(problems)}.",
            problems=problems,
        )


_SYMBOLS = {
    "create": "+",
    "adopt": "+",
    "update": "~",
    "replace": "+-",
    "delete": "-",
    "same": " ",
    "read": ">",
    "drift": "~",
    "gone": "-",
}
_PAST = {
    "create": "created",
    "adopt": "adopted",
    "update": "updated",
    "replace": "replaced",
    "delete": "deleted",
    "same": "unchanged",
    "drift": "drift",
    "gone": "gone",
}


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
        checked = _call(args, "check", lambda: self.server.check(urn, old.inputs if old else {}, dict(args.inputs)))
        if checked.failures:
            problems = [f"property {path} has a problem: {reason}" for path, reason in checked.failures]
            if self.apply:
                raise OfflineRunError(f"{_short(args.typ)} {args.name}: {'; '.join(problems)}.", problems=problems)
            # A preview goes on, so that it shows every problem of every resource at once, as the engine's does.
            self._record(Step("create" if old is None else "update", args.typ, args.name, problems=problems), None)
            return (old.id, _public(old.outputs)) if old else ("", _unknown_outputs(dict(args.inputs)))
        if old is None:
            return self._create(key, args, urn, checked.inputs)
        return self._change(key, args, urn, old, checked.inputs)

    def _read(self, key: str, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """`Resource.get()`: read an existing object; it is not managed, so it never enters the state."""
        urn = self.runner._urn_for(args.typ, args.name)
        outcome = _call(args, "read", lambda: self.server.read(urn, str(args.resource_id), dict(args.inputs),
                                                               dict(args.inputs)))  # fmt: skip
        if not outcome.id:
            raise OfflineRunError(f"{_short(args.typ)} {args.name}: {args.resource_id} does not exist.")
        with self.lock:
            self.seen.discard(key)
            self.steps.append(Step("read", args.typ, args.name))
        return outcome.id, _public(outcome.outputs)

    def _create(
        self, key: str, args: pulumi.runtime.MockResourceArgs, urn: str, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        adopting = inputs.get("adopt_existing") is True
        if not self.apply:
            detail = (
                f"adopt_existing: takes over the policy named '{inputs.get('name')}' if there is one"
                if adopting
                else ""
            )
            self._record(Step("adopt" if adopting else "create", args.typ, args.name, detail), None)
            return "", _unknown_outputs(inputs)
        said_before = len(self.server.stderr_lines)
        id_, outputs = _call(args, "create", lambda: self.server.create(urn, inputs))
        # The provider says so on stderr (before its PATCH, so well before this answer) when it took a policy over.
        adopted = adopting and any(
            ADOPTION_NOTICE in line and f"({id_})" in line for line in self.server.stderr_lines[said_before:]
        )
        detail = f"took over the existing policy {id_}" if adopted else ""
        if adopting and not adopted:
            detail = f"adopt_existing: there was no policy named '{inputs.get('name')}' to take over"
        step = Step("adopt" if adopted else "create", args.typ, args.name, detail)
        resource = _Resource(key, args.typ, args.name, id_, inputs, outputs, True)
        self._record(step, resource)
        return resource.id, _public(resource.outputs)

    def _change(
        self, key: str, args: pulumi.runtime.MockResourceArgs, urn: str, old: _Resource, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        diff = _call(args, "diff", lambda: self.server.diff(urn, old.id, old.outputs, inputs))
        changes = property_changes(old.inputs, inputs, replaces=diff.replaces)
        if diff.replaces:
            step = Step("replace", args.typ, args.name, f"{', '.join(diff.replaces)} changed", changes)
        elif diff.changes:
            # A change with no differing input: the server's copy was edited since the last refresh.
            detail = "" if changes else "the server's copy differs from the program"
            step = Step("update", args.typ, args.name, detail, changes)
        else:
            step = Step("same", args.typ, args.name)
        if not self.apply or step.op == "same":
            self._record(step, None)
            return old.id, _public(old.outputs)
        if step.op == "update":
            outputs = _call(args, "update", lambda: self.server.update(urn, old.id, old.outputs, inputs))
            resource = _Resource(key, args.typ, args.name, old.id, inputs, outputs, True)
        else:
            if diff.delete_before_replace:
                self.runner._delete(self.server, old)
            else:
                self.replaced.append(old)  # deleted once the whole program has run, as the engine does
            fresh = _call(args, "check", lambda: self.server.check(urn, {}, dict(args.inputs))).inputs
            id_, outputs = _call(args, "create", lambda: self.server.create(urn, fresh))
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
        if self.apply:
            self.runner._print_step(step, applied=True)

    def finish(self) -> None:
        """After the program: delete what was replaced, and what the program no longer declares."""
        if self.apply:
            for resource in self.replaced:
                self.runner._delete(self.server, resource)
        for key in [k for k in list(self.resources) if k not in self.seen]:
            resource = self.resources[key]
            step = Step("delete", resource.type, resource.name)
            if self.apply:
                self.runner._delete(self.server, resource)
                del self.resources[key]
                self.runner._save(self.resources)
                self.runner._print_step(step, applied=True)
            self.steps.append(step)


def property_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], *, replaces: list[str] | tuple[str, ...] = ()
) -> list[PropertyChange]:
    """The properties that differ between two input bags, by nested path (lists compare whole), sorted by path."""
    found: list[PropertyChange] = []

    def walk(before: Any, after: Any, path: str) -> None:
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            for key in sorted(set(before) | set(after)):
                if path == "" and key == PROVIDER_KEY:
                    continue
                walk(before.get(key, _ABSENT), after.get(key, _ABSENT), f"{path}.{key}" if path else str(key))
            return
        if _same(before, after):
            return
        root = path.split(".", 1)[0]
        found.append(PropertyChange(path, before, after, replaces=root in replaces))

    walk(old, new, "")
    return found


def _same(before: Any, after: Any) -> bool:
    # Absent and None are the same for a plan (an unset input), and numbers come back from gRPC as floats.
    if before is _ABSENT:
        before = None
    if after is _ABSENT:
        after = None
    return bool(_plain(before) == _plain(after))


def _refreshed(resource: _Resource, id_: str, outputs: dict[str, Any], inputs: dict[str, Any] | None) -> Step:
    """A refresh's finding for one resource: gone, drift in what the program manages, or only newer outputs."""
    if not id_:
        return Step("gone", resource.type, resource.name, "no longer exists; removed from the state")
    drift = property_changes(resource.inputs, inputs) if inputs is not None else []
    if drift:
        return Step("drift", resource.type, resource.name, "changed outside the program", drift)
    newer = [k for k in sorted(set(outputs) | set(resource.outputs)) if k != PROVIDER_KEY
             and not _same(resource.outputs.get(k, _ABSENT), outputs.get(k, _ABSENT))]  # fmt: skip
    return Step("same", resource.type, resource.name, f"outputs refreshed: {', '.join(newer)}" if newer else "")


_VERBS = {"check": "Checking", "diff": "Comparing", "read": "Reading", "create": "Creating", "update": "Updating"}


def _call(args: pulumi.runtime.MockResourceArgs, what: str, operation: Callable[[], Any]) -> Any:
    try:
        return operation()
    except grpc.RpcError as error:
        verb = _VERBS.get(what, what)
        raise OfflineRunError(f"{verb} {_short(args.typ)} {args.name} failed: {_error_text(error)}") from None


def _program_error(error: Exception) -> OfflineRunError:
    """An exception of the program itself, as one sentence."""
    if isinstance(error, ConfigMissingError):
        return OfflineRunError(
            f"The program needs the config value '{error.key}', which is not set.", missing_config=error.key
        )
    if isinstance(error, OfflineRunError):
        return error
    first_line = next((line.strip() for line in str(error).splitlines() if line.strip()), "")
    kind = "" if isinstance(error, pulumi.RunError) else f"{type(error).__name__}: "
    return OfflineRunError(f"The program stopped with {kind}{first_line or type(error).__name__}".rstrip(".") + ".")


def _short(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def _public(outputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k != PROVIDER_KEY}


def _unknown_outputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """In a preview, a new resource's outputs are its inputs; everything else is not known yet."""
    return {k: (rpc.UNKNOWN if v is None else v) for k, v in _public(inputs).items()}


def _plain(value: Any) -> Any:
    """A value as a plan shows it: integral floats (the gRPC round trip's numbers) back to ints."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _shown(value: Any) -> str:
    if isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN):
        return "(known after apply)"
    text = json.dumps(_plain(value), default=str, ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


def _error_text(error: grpc.RpcError) -> str:
    """The provider's exception text: the last line of the traceback the SDK server sends back."""
    details = error.details() if hasattr(error, "details") else str(error)
    lines = [line for line in (details or "").strip().splitlines() if line.strip()]
    if not lines:
        return str(error)
    last = lines[-1]
    return last.split(": ", 1)[1] if ": " in last and last.split(": ", 1)[0].replace(".", "").isidentifier() else last


__all__ = [
    "MockOutputs",
    "OfflineRunError",
    "OfflineRunner",
    "PropertyChange",
    "PulumiProject",
    "RunResult",
    "Step",
    "default_mock_outputs",
    "property_changes",
    "qualified_key",
]
