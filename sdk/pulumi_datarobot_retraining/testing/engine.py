"""Runs a program folder under the real Pulumi engine (a built or installed `pulumi` CLI) with a local file backend.

The program is served by Pulumi's Automation API (an inline program: the Python SDK itself answers the engine as the
language runtime), because the Python language host cannot be built on machines that reach only the Go module proxy
(see docs/engine.md). Everything else is the real engine: planning, diffs, state, secrets encryption, refresh,
destroy, and the real dynamic-provider plugin (`pulumi-resource-pulumi-python`, started by the engine).

Two details make the run match a `pulumi up` of the same folder with a language host:
- the engine starts the provider shim with `PULUMI_RUNTIME_VIRTUALENV` set from `runtime.options.virtualenv` as
  written in Pulumi.yaml; with an inline program it does not, so this driver sets it the same way;
- the program's `main` folder and its imports are honoured as the host would.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

ENGINE_LINK = Path(".tools") / "pulumi" / "current"
"""Where `make engine` leaves the engine it built, relative to the checkout (a link to `.tools/pulumi/<version>`)."""


def find_pulumi(checkout: Path | None = None) -> Path | None:
    """The `pulumi` binary to use: the one `make engine` built in `checkout`, else the one on PATH, else None."""
    if checkout is not None:
        built = checkout / ENGINE_LINK / "bin" / "pulumi"
        if os.access(built, os.X_OK):
            return built.resolve()
    on_path = shutil.which("pulumi")
    return Path(on_path).resolve() if on_path else None


@dataclass
class EngineRun:
    """What one engine command printed (its progress, diagnostics and summary) and, for updates, the change counts."""

    output: str
    changes: dict[str, int] = field(default_factory=dict)


class EngineStack:
    """One stack of a program folder (a directory with Pulumi.yaml), in a private local backend under `state_dir`.

    The stack's config is written to `Pulumi.<stack>.yaml` in the program folder, not in the backend: two stacks of
    the same name in one folder share it, whatever their backends. Give each stack its own copy of the folder.
    """

    def __init__(
        self,
        project_dir: Path,
        state_dir: Path,
        *,
        pulumi: Path,
        stack: str = "dev",
        python: str = sys.executable,
        passphrase: str = "engine-test-passphrase",
        echo: Callable[[str], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.project_dir = project_dir.resolve()
        self.pulumi = pulumi
        project = yaml.safe_load((self.project_dir / "Pulumi.yaml").read_text())
        self.project_name = str(project["name"])
        runtime = project.get("runtime", {})
        options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
        self.main_dir = self.project_dir / str(project.get("main", "."))
        self.echo = echo
        state_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            # The shims sit next to the binary; the engine looks there and on PATH.
            "PATH": f"{pulumi.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(state_dir / "home"),
            "PULUMI_BACKEND_URL": f"file://{state_dir / 'backend'}",
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # A plugin that is missing must fail, never be downloaded (the download site is unreachable here anyway).
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # Without a virtualenv option the shim runs this interpreter, the one the program runs in.
            "PULUMI_PYTHON_CMD": python,
        }
        if "virtualenv" in options:
            self.env["PULUMI_RUNTIME_VIRTUALENV"] = str(options["virtualenv"])
        # The caller's own variables for the engine and the plugins it starts (for example PYTHONPATH).
        self.env.update(env or {})
        (state_dir / "backend").mkdir(exist_ok=True)
        self._stack = auto.create_or_select_stack(
            stack,
            project_name=self.project_name,
            program=self._run_program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(self.project_dir),
                pulumi_home=self.env["PULUMI_HOME"],
                env_vars=self.env,
                pulumi_command=auto.PulumiCommand(root=str(pulumi.parent.parent)),
            ),
        )

    def _run_program(self) -> None:
        """The program, as the language host would run it: `__main__.py` of `main`, with that folder importable."""
        with _importable(self.main_dir):
            runpy.run_path(str(self.main_dir / "__main__.py"), run_name="__main__")

    def set_config(self, values: Mapping[str, str], *, secret: frozenset[str] = frozenset()) -> None:
        """Stack configuration as `pulumi config set [--secret]` stores it (secrets encrypted in the stack file)."""
        self._stack.set_all_config({k: auto.ConfigValue(v, secret=k in secret) for k, v in values.items()})

    def _collect(self) -> tuple[list[str], Callable[[str], None]]:
        lines: list[str] = []

        def on_output(line: str) -> None:
            lines.append(line)
            if self.echo is not None:
                self.echo(line)

        return lines, on_output

    def preview(self, **options: Any) -> EngineRun:
        lines, on_output = self._collect()
        result = self._stack.preview(on_output=on_output, color="never", **options)
        return EngineRun("\n".join(lines), {k: int(v) for k, v in result.change_summary.items()})

    def up(self, **options: Any) -> EngineRun:
        lines, on_output = self._collect()
        result = self._stack.up(on_output=on_output, color="never", **options)
        return EngineRun("\n".join(lines), _counts(result.summary.resource_changes))

    def refresh(self, **options: Any) -> EngineRun:
        lines, on_output = self._collect()
        result = self._stack.refresh(on_output=on_output, color="never", **options)
        return EngineRun("\n".join(lines), _counts(result.summary.resource_changes))

    def destroy(self, **options: Any) -> EngineRun:
        lines, on_output = self._collect()
        result = self._stack.destroy(on_output=on_output, color="never", **options)
        return EngineRun("\n".join(lines), _counts(result.summary.resource_changes))

    def outputs(self) -> dict[str, Any]:
        return {key: value.value for key, value in self._stack.outputs().items()}

    def export(self) -> dict[str, Any]:
        """The stack's state with secrets in plain text (the Automation API runs `stack export --show-secrets`)."""
        return dict(self._stack.export_stack().deployment or {})

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """A raw `pulumi` command on this stack (for commands the Automation API does not wrap, such as `import`)."""
        return subprocess.run(
            [str(self.pulumi), *args, "--stack", self._stack.name, "--non-interactive"],
            cwd=self.project_dir,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def state_files(self) -> Iterator[Path]:
        """Every file the local backend wrote (checkpoints, backups, history)."""
        backend = Path(self.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
        return (path for path in backend.rglob("*") if path.is_file())


def _counts(changes: Mapping[Any, int] | None) -> dict[str, int]:
    """Change counts keyed by the operation's name (`create`, `same`, ...), whatever enum the SDK uses for keys."""
    return {str(getattr(key, "value", key)): int(value) for key, value in (changes or {}).items()}


@contextmanager
def _importable(folder: Path) -> Iterator[None]:
    """`folder` first on sys.path while the program runs, and the modules it imported forgotten afterwards, so an
    edited helper module is read again on the next run, as a new language-host process would."""
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(folder)):
                del sys.modules[name]
