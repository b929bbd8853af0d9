"""Provider process start: spawning `python -m pulumi.dynamic` to the first answered `Check`, ours vs a trivial
provider (both pickled by reference, so the difference is what unpickling ours imports and its first check)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

from datarobot_emulator import seed
from datarobot_retraining.resources import RetrainingPolicyProvider
from pulumi_datarobot_retraining.testing.provider_server import (
    PROVIDER_KEY,
    ProviderServer,
    dynamic_type,
    make_urn,
    serialized_provider,
)

from ._common import (
    PROJECT,
    ROOT,
    Arm,
    Context,
    Goal,
    interleave,
    loadavg,
    notebook_policy,
    ratios,
    rounded,
    stack_config,
    summarize,
    write_result,
)
from .trivial_provider import TrivialProvider

NAME = "startup"
TITLE = "Provider process start (spawn → first answered Check)"
GOAL_ADDED = 0.30


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    rounds = 2 if ctx.quick else 10
    config = stack_config(ctx.emulator)
    ours = {**notebook_policy(seed.DEMO_DEPLOYMENT_ID), PROVIDER_KEY: serialized_provider(RetrainingPolicyProvider())}
    trivial = {"anything": "at all", PROVIDER_KEY: serialized_provider(TrivialProvider())}

    def first_check(news: dict[str, Any], type_name: str) -> None:
        # As the engine does: spawn, read the port, Configure with the stack config, then Check.
        with ProviderServer(project=PROJECT, cwd=ROOT) as server:
            server.configure(config)
            outcome = server.check(make_urn(dynamic_type(type_name), "first", project=PROJECT), {}, news)
            assert not outcome.failures, outcome.failures

    ours_arm = Arm("ours", lambda: first_check(ours, "RetrainingPolicy"))
    trivial_arm = Arm("trivial", lambda: first_check(trivial, "Trivial"))
    first_check(trivial, "Trivial")  # warm the OS file cache for both
    first_check(ours, "RetrainingPolicy")
    interleave([ours_arm, trivial_arm], rounds)
    ratio = summarize(ratios(ours_arm.wall, trivial_arm.wall))
    added_ms = summarize([(a - b) * 1000 for a, b in zip(ours_arm.wall, trivial_arm.wall, strict=True)])
    imports = import_costs()
    results = {
        "ours_s": rounded(summarize(ours_arm.wall)),
        "trivial_s": rounded(summarize(trivial_arm.wall)),
        "ratio_ours_vs_trivial": rounded(ratio),
        "added_ms": rounded(added_ms, 1),
        "import_costs_ms": imports,
    }
    goals = [Goal("imports added to the first Check", f"≤ {GOAL_ADDED:.0%}", f"{ratio['median'] - 1:+.1%}",
                  ratio["median"] - 1 <= GOAL_ADDED)]  # fmt: skip
    top = ", ".join(f"{name} {ms:.0f}" for name, ms in list(imports["ours_children"].items())[:5])
    figures = [
        ("ours / trivial (median of rounds)", f"{ratio['median']:.3f}x ({ratio['min']:.3f}-{ratio['max']:.3f})"),
        (
            "median seconds: ours / trivial",
            f"{summarize(ours_arm.wall)['median']:.3f} / {summarize(trivial_arm.wall)['median']:.3f}",
        ),
        ("added by ours (ms, median)", f"{added_ms['median']:.0f} ({added_ms['min']:.0f}-{added_ms['max']:.0f})"),
        ("biggest imports of ours beyond pulumi (ms)", top),
    ]
    return write_result(
        ctx, NAME, TITLE,
        params={"rounds": rounds, "order": "AB/BA interleaved",
                "sequence": "Popen → port line → channel ready → Configure → Check answered",
                "trivial": "benchmarks.trivial_provider.TrivialProvider"},
        results=results, goals=goals, figures=figures, started=started, load_before=load_before,
    )  # fmt: skip


_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_costs() -> dict[str, Any]:
    """One `-X importtime` run: what importing our provider costs once the `pulumi.dynamic` server's own imports
    are loaded, and the biggest third-party modules our package pulls in directly (cumulative ms)."""
    # The server's imports (pulumi/dynamic/__main__.py; importing that module itself would start the server).
    code = "import asyncio, dill, grpc, pulumi.dynamic, pulumi.runtime.rpc, pulumi.runtime.proto; " + (
        "import datarobot_retraining.resources"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    entries = [
        (int(m.group(2)) / 1000, len(m.group(3)), m.group(4)) for m in map(_LINE.match, done.stderr.splitlines()) if m
    ]
    total = sum(ms for ms, indent, name in entries if indent == 1 and name.startswith("datarobot_retraining"))
    children: dict[str, float] = {}
    for index, (ms, indent, name) in enumerate(entries):
        # importtime prints a module after everything it imported: the parent is the next line indented less.
        parent = next((n for _, i, n in entries[index + 1 :] if i < indent), "")
        if parent.startswith("datarobot_retraining") and not name.startswith("datarobot_retraining"):
            children[name] = max(children.get(name, 0.0), ms)
    ordered = dict(sorted(((n, round(ms, 1)) for n, ms in children.items()), key=lambda kv: -kv[1]))
    httpx_main = next((ms for ms, _, name in entries if name == "httpx._main"), 0.0)
    return {
        "datarobot_retraining_total": round(total, 1),
        "ours_children": ordered,
        "httpx._main (rich, click)": round(httpx_main, 1),
    }
