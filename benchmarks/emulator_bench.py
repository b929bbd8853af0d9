"""The emulator's own requests per second, from `benchmarks/emulator_rps.py` (run as it is, its output parsed)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

from ._common import ROOT, Context, loadavg, write_result

NAME = "emulator_rps"
TITLE = "Emulator throughput (benchmarks/emulator_rps.py)"
#: One client thread, and four (as many as the provider's gRPC workers), each against a fresh emulator.
THREADS = (1, 4)
_LINE = re.compile(r"^(?P<name>.+?)\s+threads=(?P<threads>\d+)\s+(?P<count>\d+) requests\s+(?P<rps>[\d.]+) req/s")


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    seconds, deployments = ("0.5", "300") if ctx.quick else ("3", "2000")
    output: list[str] = []
    for threads in THREADS:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.emulator_rps", "--seconds", seconds, "--deployments", deployments,
             "--threads", str(threads)],
            capture_output=True, text=True, cwd=ROOT, timeout=300, check=True,
        )  # fmt: skip
        output += done.stdout.strip().splitlines()
    rows = [m.groupdict() for m in map(_LINE.match, output) if m]
    table: list[dict[str, Any]] = [
        {
            "name": r["name"].strip(),
            "threads": int(r["threads"]),
            "requests": int(r["count"]),
            "rps": float(r["rps"]),
        }
        for r in rows
    ]
    results = {"rows": table, "output": output}
    figures = [(f"{r['name']} (threads={r['threads']})", f"{r['rps']:.0f} req/s") for r in table]
    return write_result(
        ctx, NAME, TITLE,
        params={"seconds": float(seconds), "deployments": int(deployments), "threads": list(THREADS),
                "emulator": "subprocess"},
        results=results, goals=[], figures=figures, started=started, load_before=load_before,
    )  # fmt: skip
