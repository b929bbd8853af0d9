"""Under the real Pulumi engine: `pulumi up`, a no-op `up`, `refresh` and `destroy` of N deployments x (settings +
5 policies), ours against the same shape of trivial no-op dynamic resources, in interleaved rounds of the same run.

Each lifecycle (up, no-op up, refresh, destroy of one stack) runs in a fresh Python process, as every `pulumi up`
runs its program in a new language host: `benchmarks/engine_program` through `EngineStack` (Automation API, inline
program, the real CLI and the real dynamic-provider plugin) on a fresh local file backend. Per phase:
- wall time of the Automation API call (what a user of `pulumi up` waits for, plus the API's own few CLI calls);
- API calls, counted at the emulator (its request log is cleared before the phase);
- provider-process CPU: the plugin shim runs `PULUMI_PYTHON_CMD`, which points at a small sh wrapper that runs the
  interpreter and then records the shell's `times` for it (user + system of the `python -m pulumi.dynamic` process);
- engine CPU: the CPU of the lifecycle process's terminated children (the `pulumi` CLI with its shims, reaped
  through it) less the provider's; program CPU: the lifecycle process itself, which runs the inline program and the
  Automation API's language server; emulator CPU from /proc.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from datarobot_emulator.control import EmulatorControl
from pulumi_datarobot_retraining.testing.engine import EngineStack, find_pulumi

from ._common import (
    ROOT,
    Context,
    Goal,
    loadavg,
    method_counts,
    process_cpu_seconds,
    ratios,
    round_orders,
    rounded,
    summarize,
    write_result,
    writes,
)

NAME = "engine"
TITLE = "Real engine: up, no-op up, refresh, destroy; ours vs a trivial dynamic provider"
PROGRAM = Path(__file__).resolve().parent / "engine_program"
ARMS = ("ours", "trivial")
PHASES = ("up", "noop_up", "refresh", "destroy")
RESOURCES_PER_DEPLOYMENT = 6  # 1 RetrainingSettings + 5 RetrainingPolicy
GOAL_UP_RATIO = 1.3
MAX_ATTEMPTS = 3  # a lifecycle whose changes are not the expected ones is recorded and run again

# The interpreter, then the shell's `times` (its second line: the children's user and system time) and the wrapper's
# parent at its start and at its end, written atomically. INT/TERM are trapped with a handler, not ignored, so the
# interpreter keeps their default meaning (the engine stops its plugins with SIGINT to the process group) and the
# shell waits for it to end before it writes.
WRAPPER = """#!/bin/sh
parent=$PPID
trap ':' INT TERM
"{python}" "$@"
status=$?
partial="{out}/provider-$$.partial"
{{ times; echo "$parent"; cut -d' ' -f4 /proc/$$/stat; }} > "$partial" && mv "$partial" "{out}/provider-$$.times"
exit $status
"""
TIMES_LINE = re.compile(r"(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s")


@dataclass
class ProviderTimes:
    cpu_seconds: float
    # The wrapper's parent at its end was still the shim (not an orphan's adopter), so the shim reaped it and the
    # engine reaped the shim: its CPU is then inside the CPU of the benchmark's terminated children.
    reaped_by_engine: bool


class ProviderCpuProbe:
    """A `PULUMI_PYTHON_CMD` wrapper in `folder` and the provider-process times it leaves there, one file a process."""

    def __init__(self, folder: Path, python: str = sys.executable, *, write_wrapper: bool = True) -> None:
        self.folder = folder
        self.command = folder / "python-with-times.sh"
        if write_wrapper:
            folder.mkdir(parents=True, exist_ok=True)
            self.command.write_text(WRAPPER.format(python=python, out=folder))
            self.command.chmod(0o755)
        self._seen: set[Path] = set(folder.glob("provider-*.times"))

    def mark_seen(self) -> None:
        """Forget the files written so far (another process collected them)."""
        self._seen.update(self.folder.glob("provider-*.times"))

    def collect(self, expected: int, timeout: float = 15.0) -> list[ProviderTimes]:
        """The times of the provider processes that ended since the last call (waiting for `expected` of them)."""
        deadline = time.monotonic() + timeout
        while True:
            new = sorted(set(self.folder.glob("provider-*.times")) - self._seen)
            if len(new) >= expected or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self._seen.update(new)
        return [self._parse(path) for path in new]

    @staticmethod
    def _parse(path: Path) -> ProviderTimes:
        lines = path.read_text().split()
        children, parent_at_start, parent_at_end = " ".join(lines[2:4]), lines[4], lines[5]
        match = TIMES_LINE.fullmatch(children)
        if match is None:
            raise RuntimeError(f"unexpected `times` output in {path}: {children!r}")
        user = int(match[1]) * 60 + float(match[2])
        system = int(match[3]) * 60 + float(match[4])
        return ProviderTimes(user + system, reaped_by_engine=parent_at_start == parent_at_end)


class UnexpectedChangesError(Exception):
    """An operation changed other resources than the lifecycle expects (for example a no-op `up` that deletes)."""

    def __init__(self, arm: str, deployments: int, phase: str, changes: dict[str, int], output: str) -> None:
        super().__init__(f"{arm} {phase} at {deployments} deployments: changes {changes}")
        self.record = {"arm": arm, "deployments": deployments, "phase": phase, "changes": changes,
                       "engine_output_tail": output.splitlines()[-40:]}  # fmt: skip


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def checkpoint_bytes(stack: EngineStack) -> int:
    """Size of the stack's checkpoint file (the state the file backend rewrites as the update goes)."""
    files = [p for p in stack.state_files() if p.suffix == ".json" and p.parent.name == stack.project_name]
    return max((p.stat().st_size for p in files), default=0)


@dataclass
class EmulatorHandle:
    """The benchmark's emulator process as a lifecycle process sees it: its URLs, token and pid."""

    api_url: str
    base_url: str
    token: str
    pid: int

    @cached_property
    def control(self) -> EmulatorControl:
        return EmulatorControl(self.base_url, timeout=120.0)

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)


def run_lifecycle(
    emulator: EmulatorHandle, pulumi: Path, *, arm: str, deployments: int, work: Path, probe: ProviderCpuProbe
) -> dict[str, Any]:
    """One stack's life (up, no-op up, refresh, destroy) with one arm, on a fresh backend and fresh deployments."""
    control = emulator.control
    control.reset("demo")
    control.freeze_clock()
    ids = control.add_deployments(deployments)
    # A private copy: the CLI keeps a stack's config in the program folder (Pulumi.<stack>.yaml), not in the backend,
    # so two stacks named alike in one folder would share their config (docs/architecture.md, lessons).
    program = work / "program"
    shutil.copytree(PROGRAM, program, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
    stack = EngineStack(
        program, work / "state", pulumi=pulumi, python=str(probe.command),
        # The provider process unpickles `benchmarks.trivial_provider` by reference, and the program imports it.
        env={"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )  # fmt: skip
    stack.set_config(
        {
            "datarobot:endpoint": emulator.api_url,
            "datarobot:apikey": emulator.token,
            "bench-engine:arm": arm,
            "bench-engine:deploymentIds": json.dumps(ids),
        },
        secret=frozenset({"datarobot:apikey"}),
    )
    resources = deployments * RESOURCES_PER_DEPLOYMENT
    operations: dict[str, tuple[Callable[[], Any], dict[str, int]]] = {
        "up": (stack.up, {"create": resources + 1}),  # + the stack itself
        "noop_up": (stack.up, {"same": resources + 1}),
        "refresh": (stack.refresh, {"same": resources + 1}),
        "destroy": (stack.destroy, {"delete": resources + 1}),
    }
    phases: dict[str, Any] = {}
    for phase, (operation, expected_changes) in operations.items():
        control.clear_requests()
        probe.collect(0, timeout=0)  # forget any late file of an earlier phase
        children_before, program_before, emulator_before = children_cpu(), time.process_time(), emulator.cpu_seconds()
        began = time.perf_counter()
        result = operation()
        wall = time.perf_counter() - began
        program = time.process_time() - program_before
        providers = probe.collect(1)
        children = children_cpu() - children_before
        provider_cpu = sum(p.cpu_seconds for p in providers)
        counted = sum(p.cpu_seconds for p in providers if p.reaped_by_engine)
        log = control.requests()
        if result.changes != expected_changes:
            # Never a figure: the caller records it (with the engine's words) and runs the lifecycle again.
            if phase != "destroy":
                stack.destroy()
            raise UnexpectedChangesError(arm, deployments, phase, result.changes, result.output)
        phases[phase] = {
            "seconds": round(wall, 3),
            "api_calls": len(log),
            "writes": writes(log),
            "by_method": method_counts(log),
            "errors": sum(1 for r in log if r["status"] >= 400),
            "provider_processes": len(providers),
            "provider_cpu_s": round(provider_cpu, 3),
            "engine_cpu_s": round(children - counted, 3),
            "program_cpu_s": round(program, 3),
            "emulator_cpu_s": round(emulator.cpu_seconds() - emulator_before, 3),
            "changes": result.changes,
        }
        if phase == "up":
            phases[phase]["checkpoint_bytes"] = checkpoint_bytes(stack)
    return phases


def lifecycle_in_process(
    emulator: EmulatorHandle, pulumi: Path, *, arm: str, deployments: int, work: Path, probe: ProviderCpuProbe
) -> dict[str, Any]:
    """`run_lifecycle` in a fresh Python process, as each `pulumi up` runs its program in a new language host: no
    state of the SDK (its pickler patch, its settings, the modules of the other arm) carries from one to the next."""
    request = {"emulator": asdict(emulator), "pulumi": str(pulumi), "arm": arm, "deployments": deployments,
               "work": str(work), "probe": str(probe.folder)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.engine", json.dumps(request)],
        cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the {arm} lifecycle at {deployments} deployments failed:\n{done.stderr[-4000:]}")
    probe.mark_seen()
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _lifecycle_main(request_text: str) -> int:
    request = json.loads(request_text)
    emulator = EmulatorHandle(**request["emulator"])
    probe = ProviderCpuProbe(Path(request["probe"]), write_wrapper=False)
    try:
        phases = run_lifecycle(
            emulator, Path(request["pulumi"]), arm=request["arm"], deployments=request["deployments"],
            work=Path(request["work"]), probe=probe,
        )  # fmt: skip
        print(json.dumps({"phases": phases}))
    except UnexpectedChangesError as unexpected:
        print(json.dumps({"unexpected": unexpected.record}))
    return 0


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    pulumi = find_pulumi(ROOT)
    if pulumi is None:
        raise RuntimeError("no Pulumi engine: run `make engine` (or put `pulumi` on PATH) before this benchmark")
    sizes = [1] if ctx.quick else [10, 100]
    rounds = {1: 2} if ctx.quick else {10: 6, 100: 3}
    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    probe = ProviderCpuProbe(work / "provider-times")
    emulator = EmulatorHandle(ctx.emulator.api_url, ctx.emulator.base_url, ctx.emulator.token, ctx.emulator.pid)
    runs: dict[int, dict[str, list[dict[str, Any]]]] = {}
    uptimes: list[str] = []
    anomalies: list[dict[str, Any]] = []
    try:
        for size in sizes:
            runs[size] = {arm: [] for arm in ARMS}
            for index, order in enumerate(round_orders(list(ARMS), rounds[size])):
                for arm in order:
                    for attempt in range(MAX_ATTEMPTS):
                        folder = work / f"{size}-{index}-{arm}-{attempt}"
                        try:
                            answer = lifecycle_in_process(emulator, pulumi, arm=arm, deployments=size, work=folder,
                                                          probe=probe)  # fmt: skip
                        finally:
                            shutil.rmtree(folder, ignore_errors=True)
                        if "phases" in answer:
                            phases = answer["phases"]
                            break
                        anomalies.append({**answer["unexpected"], "round": index + 1, "attempt": attempt + 1})
                        ctx.log(f"  engine: UNEXPECTED {answer['unexpected']['changes']}; the lifecycle runs again")
                    else:
                        raise RuntimeError(f"{arm} at {size} deployments: {MAX_ATTEMPTS} lifecycles went wrong")
                    runs[size][arm].append(phases)
                    ctx.log(
                        f"  engine {size} deployments, round {index + 1}, {arm}: "
                        + ", ".join(f"{p} {phases[p]['seconds']:.1f} s" for p in PHASES)
                        + f"; load {loadavg()}"
                    )
                uptimes.append(_uptime())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    by_size: dict[str, Any] = {}
    for size in sizes:
        ours, trivial = runs[size]["ours"], runs[size]["trivial"]
        entry: dict[str, Any] = {"resources": size * RESOURCES_PER_DEPLOYMENT, "rounds": rounds[size], "phases": {}}
        for phase in PHASES:
            row: dict[str, Any] = {}
            for arm, arm_runs in (("ours", ours), ("trivial", trivial)):
                row[arm] = {
                    key: rounded(summarize([r[phase][key] for r in arm_runs]), 3)
                    for key in ("seconds", "provider_cpu_s", "engine_cpu_s", "program_cpu_s", "emulator_cpu_s")
                }
                row[arm]["by_method"] = arm_runs[0][phase]["by_method"]
                row[arm]["api_calls"] = max(r[phase]["api_calls"] for r in arm_runs)
                row[arm]["writes"] = max(r[phase]["writes"] for r in arm_runs)
                row[arm]["errors"] = max(r[phase]["errors"] for r in arm_runs)
                row[arm]["provider_processes"] = max(r[phase]["provider_processes"] for r in arm_runs)
                if phase == "up":
                    row[arm]["checkpoint_bytes"] = max(r[phase]["checkpoint_bytes"] for r in arm_runs)
            row["ratio_wall"] = rounded(
                summarize(ratios([r[phase]["seconds"] for r in ours], [r[phase]["seconds"] for r in trivial])), 3
            )
            entry["phases"][phase] = row
        by_size[str(size)] = {**entry, "runs": runs[size]}

    goals: list[Goal] = []
    figures: list[tuple[str, str]] = []
    for size in sizes:
        phases = by_size[str(size)]["phases"]
        up_ratio = phases["up"]["ratio_wall"]["median"]
        goals.append(
            Goal(f"`pulumi up` at {size} deployments, ours / trivial", f"≤ {GOAL_UP_RATIO}x", up_ratio,
                 up_ratio <= GOAL_UP_RATIO)
        )  # fmt: skip
        noop_writes = phases["noop_up"]["ours"]["writes"]
        goals.append(Goal(f"no-op `up` at {size} deployments, API writes", "0", noop_writes, noop_writes == 0))
        for phase in PHASES:
            row = phases[phase]
            calls = " + ".join(f"{n} {m}" for m, n in row["ours"]["by_method"].items()) or "0"
            figures.append(
                (
                    f"{size} deployments, {phase.replace('_', '-')}: s ours / trivial (ratio); API calls",
                    f"{row['ours']['seconds']['median']:.2f} / {row['trivial']['seconds']['median']:.2f} "
                    f"({_ratio(row['ratio_wall'])}); {calls}",
                )
            )
            figures.append(
                (
                    f"{size} deployments, {phase.replace('_', '-')}: CPU s provider / engine / program, ours; trivial",
                    "; ".join(
                        " / ".join(f"{row[arm][key]['median']:.2f}" for key in ("provider_cpu_s", "engine_cpu_s",
                                                                                   "program_cpu_s"))
                        for arm in ARMS
                    ),
                )
            )  # fmt: skip
        figures.append(
            (
                f"{size} deployments: checkpoint after up, bytes ours / trivial",
                f"{phases['up']['ours']['checkpoint_bytes']:,} / {phases['up']['trivial']['checkpoint_bytes']:,}",
            )
        )
    figures.append(
        ("lifecycles run again after unexpected changes (see results.anomalies)",
         "; ".join(f"{a['arm']} {a['phase']} at {a['deployments']}: {a['changes']}" for a in anomalies) or "none")
    )  # fmt: skip
    return write_result(
        ctx, NAME, TITLE,
        params={"sizes": sizes, "rounds": rounds, "arms": list(ARMS), "pulumi": _version(pulumi),
                "per_deployment": "1 RetrainingSettings + 5 RetrainingPolicy (every trigger kind); trivial: the same "
                                  "inputs on benchmarks.trivial_provider.TrivialResource, same depends_on",
                "runner": "EngineStack: Automation API inline program, local file backend, default parallelism",
                "loadavg_after_each_round": uptimes},
        results={"sizes": by_size, "anomalies": anomalies}, goals=goals, figures=figures, started=started,
        load_before=load_before,
    )  # fmt: skip


def _ratio(stats: dict[str, Any]) -> str:
    return f"{stats['median']:.2f}x, {stats['min']:.2f}-{stats['max']:.2f}"


def _uptime() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _version(pulumi: Path) -> str:
    return subprocess.run([str(pulumi), "version"], capture_output=True, text=True, check=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(_lifecycle_main(sys.argv[1]))
