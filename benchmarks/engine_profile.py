"""Where the engine benchmark's time goes: `python -m benchmarks.engine_profile [--deployments N] [--out DIR]`.

For each arm (ours, trivial), on fresh stacks of the engine benchmark's program:
1. `up` and `destroy` with the CLI's own Go profiler (`pulumi --profiling`), summarised with `go tool pprof -top`
   (flat and cumulative), and, when py-spy is installed (`pip install py-spy`; not a project dependency), the
   benchmark process and the provider process sampled during the `up` (top frames by own time, per process);
2. `up` and `destroy` with `PULUMI_SKIP_CHECKPOINTS=true` (the engine then saves the state once, at the end,
   instead of after every step): the difference to 1 is what the checkpoint writes cost.
Writes `<out>/engine_profile.json` and the pprof / py-spy tops as text files beside it. Not part of `make bench`
(it is a diagnosis, and each run of 100 deployments takes several minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi_datarobot_retraining.testing.engine import EngineStack, find_pulumi

from ._common import RESULTS_DIR, ROOT, EmulatorProcess, loadavg, machine_info
from .engine import ARMS, PROGRAM, ProviderCpuProbe

PROFILED = """#!/bin/sh
exec "{pulumi}" --profiling "{prefix}" "$@"
"""


def profiled_pulumi(pulumi: Path, folder: Path) -> Path:
    """A `pulumi` in `folder/bin` that runs the real one with `--profiling`, with the plugin shims beside it."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    wrapper = bin_dir / "pulumi"
    wrapper.write_text(PROFILED.format(pulumi=pulumi, prefix=folder / "profile"))
    wrapper.chmod(0o755)
    for shim in pulumi.parent.iterdir():
        if shim.name != "pulumi":
            (bin_dir / shim.name).symlink_to(shim.resolve())
    return wrapper


def pprof_top(profile: Path, *, cumulative: bool) -> str:
    command = ["go", "tool", "pprof", "-top", "-nodecount=30", *(["-cum"] if cumulative else []), str(profile)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def py_spy_top(raw: Path, limit: int = 25) -> dict[str, list[tuple[str, int]]]:
    """Top frames by own samples, per process, from py-spy's collapsed-stack output."""
    per_process: dict[str, Counter[str]] = {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        process = frames[0] if frames[0].startswith("process") else "process"
        per_process.setdefault(process, Counter())[frames[-1]] += int(count)
    return {process: counter.most_common(limit) for process, counter in per_process.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine_profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--deployments", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "engine_profile")
    args = parser.parse_args(argv)
    pulumi = find_pulumi(ROOT)
    if pulumi is None:
        raise SystemExit("no Pulumi engine: run `make engine` first")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    work = Path(tempfile.mkdtemp(prefix="bench-engine-profile-"))
    probe = ProviderCpuProbe(work / "provider-times")
    document: dict[str, Any] = {"deployments": args.deployments, "machine": machine_info(), "load_before": loadavg()}
    runs: dict[str, Any] = {}
    try:
        with EmulatorProcess() as emulator:
            for arm in ARMS:
                for mode in ("profiled", "skip_checkpoints"):
                    folder = work / f"{arm}-{mode}"
                    binary = profiled_pulumi(pulumi, folder) if mode == "profiled" else pulumi
                    env = {"PYTHONPATH": str(ROOT)}
                    if mode == "skip_checkpoints":
                        env["PULUMI_SKIP_CHECKPOINTS"] = "true"
                    emulator.control.reset("demo")
                    emulator.control.freeze_clock()
                    ids = emulator.control.add_deployments(args.deployments)
                    program = folder / "program"  # private: the stack's config file is written beside Pulumi.yaml
                    shutil.copytree(PROGRAM, program, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
                    stack = EngineStack(program, folder / "state", pulumi=binary, python=str(probe.command), env=env)
                    stack.set_config(
                        {"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token,
                         "bench-engine:arm": arm, "bench-engine:deploymentIds": json.dumps(ids)},
                        secret=frozenset({"datarobot:apikey"}),
                    )  # fmt: skip
                    timings: dict[str, float] = {}
                    for operation in ("up", "destroy"):
                        sampler = None
                        raw = out / f"py-spy-{arm}-{operation}.txt"
                        if mode == "profiled" and py_spy and operation == "up":
                            sampler = subprocess.Popen(
                                [py_spy, "record", "--pid", str(os.getpid()), "--subprocesses", "--format", "raw",
                                 "--rate", "50", "--nonblocking", "-o", str(raw)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            )  # fmt: skip
                            time.sleep(1.0)
                        began = time.perf_counter()
                        getattr(stack, operation)()
                        timings[operation] = round(time.perf_counter() - began, 3)
                        if sampler is not None:
                            sampler.send_signal(signal.SIGINT)
                            sampler.wait(timeout=60)
                            (out / f"py-spy-{arm}-{operation}-top.json").write_text(
                                json.dumps(py_spy_top(raw), indent=1) + "\n"
                            )
                        if mode == "profiled":
                            # The biggest CPU profile of this operation is the `pulumi up`/`destroy` process itself.
                            profiles = sorted(folder.glob("profile.*.cpu"), key=lambda p: p.stat().st_size)
                            biggest = profiles[-1]
                            for cumulative in (False, True):
                                name = f"pprof-{arm}-{operation}-{'cum' if cumulative else 'flat'}.txt"
                                (out / name).write_text(pprof_top(biggest, cumulative=cumulative))
                            for profile in folder.glob("profile.*"):
                                profile.unlink()
                        probe.collect(1)
                        print(f"{arm} {mode} {operation}: {timings[operation]:.1f} s; load {loadavg()}", flush=True)
                    runs[f"{arm}/{mode}"] = timings
                    shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    document["runs"] = runs
    document["ratios"] = {
        f"{mode}/{operation}": round(runs[f"ours/{mode}"][operation] / runs[f"trivial/{mode}"][operation], 3)
        for mode in ("profiled", "skip_checkpoints")
        for operation in ("up", "destroy")
    }
    document["load_after"] = loadavg()
    (out / "engine_profile.json").write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document["ratios"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
