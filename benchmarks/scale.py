"""Scale: N deployments x (settings + 5 policies) through the real gRPC server with 4 concurrent workers, as the
engine runs them: first apply, no-op re-apply, refresh, destroy."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from pulumi_datarobot_retraining.testing import dynamic_type, make_urn, serialized_provider
from pulumi_datarobot_retraining.testing.provider_server import PROVIDER_KEY

from ._common import (
    PROJECT,
    Context,
    EmulatorProcess,
    Goal,
    five_policies,
    loadavg,
    method_counts,
    peak_rss_mb,
    rounded,
    settings_props,
    summarize,
    write_result,
    writes,
)
from .api_calls import start_engine
from .state_size import json_bytes

NAME = "scale"
TITLE = "Scale: deployments x (settings + 5 policies), wire level, 4 workers"
WORKERS = 4  # the pulumi.dynamic server's thread pool, and the engine's default parallelism is higher
GOAL_RSS_MB = 150.0
PHASES = ("apply", "reapply", "refresh", "destroy")


@dataclass
class Resource:
    urn: str
    news: dict[str, Any]
    after: list[str] = field(default_factory=list)  # urns this one depends on (settings before policies)
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


def run_graph(tasks: Mapping[str, Callable[[], None]], after: Mapping[str, Sequence[str]], workers: int) -> None:
    """Run `tasks` on `workers` threads, each only once everything it comes `after` is done (the engine's walk)."""
    waiting = {key: len(after.get(key, ())) for key in tasks}
    dependents: dict[str, list[str]] = defaultdict(list)
    for key, before in after.items():
        for other in before:
            dependents[other].append(key)
    ready: queue.Queue[str | None] = queue.Queue()
    for key, count in waiting.items():
        if count == 0:
            ready.put(key)
    lock = threading.Lock()
    remaining = [len(tasks)]
    errors: list[BaseException] = []

    def worker() -> None:
        while (key := ready.get()) is not None:
            try:
                tasks[key]()
            except BaseException as error:  # reported after the walk; the graph still drains
                errors.append(error)
            with lock:
                remaining[0] -= 1
                for follower in dependents[key]:
                    waiting[follower] -= 1
                    if waiting[follower] == 0:
                        ready.put(follower)
                if remaining[0] == 0:
                    for _ in range(workers):
                        ready.put(None)

    if not tasks:
        return
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def build_stack(deployment_ids: Sequence[str]) -> dict[str, Resource]:
    settings_provider = serialized_provider(RetrainingSettingsProvider())
    policy_provider = serialized_provider(RetrainingPolicyProvider())
    settings_type, policy_type = dynamic_type("RetrainingSettings"), dynamic_type("RetrainingPolicy")
    stack: dict[str, Resource] = {}
    for index, deployment_id in enumerate(deployment_ids):
        settings_urn = make_urn(settings_type, f"settings-{index}", project=PROJECT)
        stack[settings_urn] = Resource(settings_urn, {**settings_props(deployment_id), PROVIDER_KEY: settings_provider})
        for number, props in enumerate(five_policies(deployment_id)):
            urn = make_urn(policy_type, f"policy-{index}-{number}", project=PROJECT)
            stack[urn] = Resource(urn, {**props, PROVIDER_KEY: policy_provider}, after=[settings_urn])
    return stack


def run_size(emulator: EmulatorProcess, deployments: int) -> dict[str, Any]:
    """One full stack life at one size, in a fresh provider process (so its peak RSS is this size's)."""
    control = emulator.control
    control.reset("demo")
    control.freeze_clock()
    stack = build_stack(control.add_deployments(deployments))
    forward = {urn: r.after for urn, r in stack.items()}
    backward: dict[str, list[str]] = defaultdict(list)
    for urn, resource in stack.items():
        for before in resource.after:
            backward[before].append(urn)
    phases: dict[str, Any] = {}
    with start_engine(emulator) as server:
        # The process's one-time costs (unpickling the providers imports them; the first call builds the HTTP
        # client) are timed apart, so the phases show the cost that grows with the stack.
        began = time.perf_counter()
        first = next(iter(stack.values()))
        for resource in (first, next(r for r in stack.values() if r.after)):
            assert not server.check(resource.urn, {}, resource.news).failures
        settings_id = first.news["deployment_id"]
        server.read(first.urn, settings_id, {"deployment_id": settings_id, PROVIDER_KEY: first.news[PROVIDER_KEY]})
        warm_up = time.perf_counter() - began

        def apply(r: Resource) -> None:
            checked = server.check(r.urn, {}, r.news)
            assert not checked.failures, checked.failures
            r.id, r.outputs = server.create(r.urn, checked.inputs)
            r.inputs = checked.inputs

        def reapply(r: Resource) -> None:
            checked = server.check(r.urn, r.inputs, r.news)
            diff = server.diff(r.urn, r.id, r.outputs, checked.inputs)
            assert diff.changes is False, f"{r.urn} shows a change on a no-op re-apply"

        def refresh(r: Resource) -> None:
            read = server.read(r.urn, r.id, r.outputs, r.inputs)
            assert read.id == r.id
            r.outputs = read.outputs
            r.inputs = {**(read.inputs or {}), PROVIDER_KEY: r.news[PROVIDER_KEY]}

        def destroy(r: Resource) -> None:
            server.delete(r.urn, r.id, r.outputs)

        plan: dict[str, tuple[Callable[[Resource], None], Mapping[str, Sequence[str]]]] = {
            "apply": (apply, forward),
            "reapply": (reapply, forward),
            "refresh": (refresh, {}),  # refresh reads every resource at once, in no order
            "destroy": (destroy, backward),
        }
        state_bytes = 0
        for phase, (action, order) in plan.items():
            control.clear_requests()
            tasks = {urn: partial(action, resource) for urn, resource in stack.items()}
            began = time.perf_counter()
            run_graph(tasks, order, WORKERS)
            seconds = time.perf_counter() - began
            log = control.requests()
            phases[phase] = {
                "seconds": round(seconds, 4),
                "ms_per_deployment": round(seconds / deployments * 1000, 3),
                "api_calls": len(log),
                "writes": writes(log),
                "by_method": method_counts(log),
                "errors": sum(1 for r in log if r["status"] >= 400),
            }
            if phase == "apply":
                state_bytes = sum(json_bytes(r.inputs) + json_bytes(r.outputs) for r in stack.values())
        rss = peak_rss_mb(server.pid)
    total = sum(p["seconds"] for p in phases.values())
    return {
        "deployments": deployments,
        "resources": len(stack),
        "phases": phases,
        "total_seconds": round(total, 4),
        "ms_per_deployment": round(total / deployments * 1000, 3),
        "peak_rss_mb": round(rss, 1),
        "warm_up_seconds": round(warm_up, 4),
        "state_bytes": state_bytes,
    }


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    sizes = [2, 4] if ctx.quick else [10, 25, 50, 100]
    repetitions = 1 if ctx.quick else 2
    # Up and down (10, 25, 50, 100, 100, 50, 25, 10): drift in the machine's load falls on every size alike.
    order = sizes + list(reversed(sizes)) if repetitions == 2 else sizes
    runs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for size in order:
        runs[size].append(run_size(ctx.emulator, size))
        ctx.log(f"  scale {size}: {runs[size][-1]['total_seconds']:.1f} s")

    by_size: dict[str, Any] = {}
    for size in sizes:
        rows = runs[size]
        by_size[str(size)] = {
            "runs": rows,
            "ms_per_deployment": rounded(summarize([r["ms_per_deployment"] for r in rows]), 3),
            "phase_ms_per_deployment": {
                phase: round(summarize([r["phases"][phase]["ms_per_deployment"] for r in rows])["median"], 3)
                for phase in PHASES
            },
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rows),
            "warm_up_seconds": round(summarize([r["warm_up_seconds"] for r in rows])["median"], 4),
        }
    smallest, largest = str(sizes[0]), str(sizes[-1])
    base = by_size[smallest]["ms_per_deployment"]["median"]
    growth = {size: round(entry["ms_per_deployment"]["median"] / base, 3) for size, entry in by_size.items()}
    top = runs[sizes[-1]][0]
    reapply_writes = max(r["phases"]["reapply"]["writes"] for rows in runs.values() for r in rows)
    peak = by_size[largest]["peak_rss_mb"]
    results = {
        "sizes": by_size,
        "ms_per_deployment_vs_smallest": growth,
        "largest": {
            "deployments": sizes[-1],
            "resources": top["resources"],
            "phases": {
                phase: {
                    "seconds_median": round(
                        summarize([r["phases"][phase]["seconds"] for r in runs[sizes[-1]]])["median"], 3
                    ),
                    "api_calls": top["phases"][phase]["api_calls"],
                    "by_method": top["phases"][phase]["by_method"],
                    "writes": top["phases"][phase]["writes"],
                }
                for phase in PHASES
            },
            "peak_rss_mb": peak,
            "state_bytes": top["state_bytes"],
        },
    }
    goals = [
        Goal("no-op re-apply writes", "0", reapply_writes, reapply_writes == 0),
        Goal(f"provider peak RSS at {largest} deployments", f"≤ {GOAL_RSS_MB:.0f} MB", peak, peak <= GOAL_RSS_MB),
        Goal(f"time per deployment {largest} vs {smallest} (linear)", "≈ 1x (≤ 1.5x)", growth[largest],
             growth[largest] <= 1.5),
    ]  # fmt: skip
    figures = []
    for phase in PHASES:
        entry = results["largest"]["phases"][phase]
        calls = " + ".join(f"{n} {m}" for m, n in entry["by_method"].items()) or "0"
        figures.append(
            (f"{largest} deployments, {phase}: seconds / API calls", f"{entry['seconds_median']:.2f} s / {calls}")
        )
    figures.append(("peak RSS of the provider process", f"{peak:.1f} MB"))
    warm = summarize([r["warm_up_seconds"] for rows in runs.values() for r in rows])
    figures.append(("one-time warm-up per process (first checks + first call), s", f"{warm['median']:.2f}"))
    figures.append(
        (
            "ms per deployment (all 4 phases) at " + ", ".join(sizes_str := [str(s) for s in sizes]),
            " / ".join(f"{by_size[s]['ms_per_deployment']['median']:.0f}" for s in sizes_str),
        )
    )
    figures.append(("… relative to " + smallest, " / ".join(f"{growth[s]:.2f}x" for s in sizes_str)))
    return write_result(
        ctx, NAME, TITLE,
        params={"sizes": sizes, "repetitions": repetitions, "run_order": order, "workers": WORKERS,
                "per_deployment": "1 RetrainingSettings + 5 RetrainingPolicy (every trigger kind)",
                "emulator": "subprocess, clock frozen; a fresh provider process per size"},
        results=results, goals=goals, figures=figures, started=started, load_before=load_before,
    )  # fmt: skip
