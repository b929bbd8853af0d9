"""What every benchmark shares: the emulator process, interleaved timing, statistics, machine facts, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pulumi.dynamic import Config, ConfigureRequest, ResourceProvider

from datarobot_emulator import seed
from datarobot_emulator.control import EmulatorControl, RequestRecord
from pulumi_datarobot_retraining.testing.provider_server import stop_process
from pulumi_datarobot_retraining.testing.samples import notebook_policy

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
TOKEN = "bench-token"
PROJECT = "bench"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
T = TypeVar("T")


# -- the emulator ----------------------------------------------------------------------------------------------


class EmulatorProcess:
    """The emulator in its own process (`python -m datarobot_emulator`), as a real API would be.

    A separate process keeps the emulator's work off the measuring process's GIL and CPU time: client-side
    costs are what the benchmark process spends, server-side costs are the emulator's own (its pid is known, so
    its CPU time can be read from /proc).
    """

    def __init__(self, *, deployments: int | None = None, step_seconds: float = 60.0) -> None:
        self._deployments = deployments
        self._step_seconds = step_seconds
        self._process: subprocess.Popen[str] | None = None
        self.api_url = ""
        self.base_url = ""
        self.token = TOKEN
        self._control: EmulatorControl | None = None

    def start(self, timeout: float = 30.0) -> EmulatorProcess:
        command = [
            sys.executable, "-m", "datarobot_emulator", "--port", "0", "--token", self.token, "--seed", "demo",
            "--step-seconds", str(self._step_seconds),
        ]  # fmt: skip
        if self._deployments:
            command += ["--deployments", str(self._deployments)]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self._process.stdout is not None
        self.api_url = self._process.stdout.readline().strip()
        if not self.api_url.startswith("http"):
            self.stop()
            raise RuntimeError(f"the emulator did not print its URL (got {self.api_url!r})")
        self.base_url = self.api_url.rsplit("/api/", 1)[0]
        threading.Thread(target=_drain, args=(self._process.stdout,), daemon=True).start()
        self._control = EmulatorControl(self.base_url, timeout=120.0)
        deadline = time.monotonic() + timeout
        while not self._control.health():
            if time.monotonic() > deadline or self._process.poll() is not None:
                self.stop()
                raise RuntimeError("the emulator did not start answering")
            time.sleep(0.02)
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def control(self) -> EmulatorControl:
        assert self._control is not None, "start() the emulator first"
        return self._control

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _drain(stream: Any) -> None:
    for _ in iter(stream.readline, ""):
        pass


def stack_config(emulator: EmulatorProcess) -> dict[str, str]:
    """The stack config the engine would send in `Configure`."""
    return {"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token}


def configured(provider: ResourceProvider, emulator: EmulatorProcess) -> Any:
    """A provider configured as the engine configures it (the whole stack config, namespaced keys)."""
    provider.configure(ConfigureRequest(Config(stack_config(emulator), PROJECT)))
    return provider


# -- what the benchmarks create --------------------------------------------------------------------------------


def settings_props(deployment_id: str) -> dict[str, Any]:
    """Retraining settings as a program declares them: a dataset and a retraining user (policies need both)."""
    return {
        "deployment_id": deployment_id,
        "dataset_id": seed.DEMO_DATASET_ID,
        "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
    }


# The notebook policy's create body and an edit, written by hand in the API's camelCase: the bare minimum a
# script sends for the same work as the provider.
NOTEBOOK_POLICY_WIRE: dict[str, Any] = {
    "name": "MultiClass Drift Tracking Policy",
    "action": "create_challenger",
    "trigger": {
        "type": "data_drift_decline",
        # All five keys: a partial schedule's meaning is not public, and the emulator refuses one.
        "schedule": {"minute": [0], "hour": [0], "dayOfMonth": ["*"], "month": ["*"], "dayOfWeek": ["*"]},
        "statusDeclinesToWarning": True,
    },
    "modelSelectionStrategy": "autopilot_recommended",
    "featureListStrategy": "informative_features",
    "projectOptionsStrategy": "same_as_champion",
    "autopilotOptions": {"mode": "auto", "runLeakageRemovedFeatureList": True},
    "projectOptions": {"cvMethod": "RandomCV", "validationType": "CV", "metric": "Accuracy"},
}
POLICY_EDIT = {"description": "weekly review", "action": "create_model_package"}
POLICY_EDIT_WIRE = {"description": "weekly review", "action": "create_model_package"}


def five_policies(deployment_id: str) -> list[dict[str, Any]]:
    """Five different policies for one deployment (the most DataRobot allows): every trigger kind and action."""
    return [
        notebook_policy(deployment_id),
        notebook_policy(
            deployment_id,
            name="Accuracy decline",
            action="create_model_package",
            trigger={"type": "accuracy_decline", "status_declines_to_failing": True},
        ),
        notebook_policy(
            deployment_id,
            name="Nightly",
            action="create_model_package",
            trigger={"type": "schedule", "schedule": {"minute": [0], "hour": [2]}},
        ),
        notebook_policy(
            deployment_id,
            name="Weekly challenger",
            trigger={"type": "schedule", "schedule": {"minute": [30], "hour": [4], "day_of_week": ["sun"]}},
            description="every Sunday",
        ),
        {"deployment_id": deployment_id, "name": "Manual", "action": "create_model_package"},
    ]


# -- timing ----------------------------------------------------------------------------------------------------


def summarize(values: Sequence[float]) -> dict[str, float | int]:
    """Median and spread (min, max, interquartile range) of repeated measurements."""
    ordered = sorted(values)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "q1": q1,
        "q3": q3,
        "n": len(ordered),
    }


@dataclass
class Arm:
    """One side of an A/B comparison: `run()` does one round's work once (timed as a whole)."""

    name: str
    run: Callable[[], None]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)


def interleave(
    arms: Sequence[Arm],
    rounds: int,
    *,
    between: Callable[[], None] | None = None,
    server_cpu: Callable[[], float] | None = None,
) -> None:
    """Run every arm once per round; the order rotates by one every two rounds and every other round is reversed
    (AB/BA for two arms; with `rounds` = 2 x arms, every arm runs in every position equally often), so drift in
    the machine's load and any position effect fall on all arms alike. `between` runs untimed before each arm."""
    for order in round_orders(arms, rounds):
        for arm in order:
            if between is not None:
                between()
            server_before = server_cpu() if server_cpu is not None else 0.0
            cpu_before = time.process_time()
            began = time.perf_counter()
            arm.run()
            arm.wall.append(time.perf_counter() - began)
            arm.cpu.append(time.process_time() - cpu_before)
            if server_cpu is not None:
                arm.server_cpu.append(server_cpu() - server_before)


def round_orders(arms: Sequence[T], rounds: int) -> list[list[T]]:
    """The order of the arms in each round: rotated by one every two rounds, every other round reversed."""
    orders = []
    for index in range(rounds):
        shift = (index // 2) % len(arms)
        order = list(arms[shift:]) + list(arms[:shift])
        if index % 2:
            order.reverse()
        orders.append(order)
    return orders


def ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Per-round ratios (each round's A against the same round's B)."""
    return [a / b for a, b in zip(numerator, denominator, strict=True) if b > 0]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc (no psutil)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a live process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


# -- request log -----------------------------------------------------------------------------------------------


def method_counts(records: Iterable[RequestRecord]) -> dict[str, int]:
    """`{"GET": 2, "PATCH": 1}`: requests per HTTP method, sorted by method."""
    counts = Counter(r["method"] for r in records)
    return dict(sorted(counts.items()))


def writes(records: Iterable[RequestRecord]) -> int:
    return sum(1 for r in records if r["method"] in WRITE_METHODS)


def bare_client(emulator: EmulatorProcess) -> httpx.Client:
    """A plain `httpx.Client` with the token: what a hand-written script would use."""
    return httpx.Client(base_url=emulator.api_url, headers={"Authorization": f"Bearer {emulator.token}"})


# -- machine and results ---------------------------------------------------------------------------------------


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_info() -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_mb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_mb": memory_mb,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


@dataclass
class Goal:
    """One goal of the issue and whether this run met it."""

    name: str
    target: str
    value: float | int | str
    met: bool

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "target": self.target, "value": self.value, "met": self.met}


@dataclass
class Context:
    """What the harness hands every benchmark."""

    quick: bool
    out_dir: Path
    emulator: EmulatorProcess
    log: Callable[[str], None] = print


def write_result(
    ctx: Context,
    name: str,
    title: str,
    *,
    params: Mapping[str, Any],
    results: Mapping[str, Any],
    goals: Sequence[Goal],
    figures: Sequence[tuple[str, str]],
    started: float,
    load_before: list[float],
) -> dict[str, Any]:
    """Write `<out_dir>/<name>.json`; `figures` are the (label, value) rows the summary table shows."""
    document: dict[str, Any] = {
        "benchmark": name,
        "title": title,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": ctx.quick,
        "machine": machine_info(),
        "load": {"before": load_before, "after": loadavg()},
        "duration_s": round(time.perf_counter() - started, 2),
        "params": dict(params),
        "results": dict(results),
        "goals": [g.as_json() for g in goals],
        "figures": [list(f) for f in figures],
    }
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.out_dir / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
    return document


def rounded(stats: Mapping[str, float | int], digits: int = 4) -> dict[str, float | int]:
    return {k: (round(v, digits) if isinstance(v, float) else v) for k, v in stats.items()}
