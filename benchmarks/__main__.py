"""Run the benchmarks: ``python -m benchmarks [--quick] [--only NAME ...] [--out DIR]``.

Every benchmark starts from a freshly reset emulator (one emulator process for the whole run) and writes
``<out>/<name>.json``; ``<out>/summary.md`` is rebuilt from every result file found in ``<out>`` at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pulumi_datarobot_retraining.testing.engine import find_pulumi

from . import api_calls, emulator_bench, engine, overhead, peer, scale, startup, state_size
from ._common import RESULTS_DIR, ROOT, Context, EmulatorProcess, loadavg, machine_info
from .summary import write_summary

BENCHMARKS: dict[str, Callable[[Context], dict[str, Any]]] = {
    api_calls.NAME: api_calls.run,
    state_size.NAME: state_size.run,
    overhead.NAME: overhead.run,
    peer.NAME: peer.run,
    startup.NAME: startup.run,
    scale.NAME: scale.run,
    emulator_bench.NAME: emulator_bench.run,
    engine.NAME: engine.run,  # needs the real engine (`make engine`); the longest by far
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run of the harness (seconds)")
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, default=None,
        help=f"results folder (default {RESULTS_DIR}; --quick runs default to its quick/ subfolder)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    out_dir: Path = args.out or (RESULTS_DIR / "quick" if args.quick else RESULTS_DIR)
    names = args.only or list(BENCHMARKS)
    if engine.NAME in names and not args.only and find_pulumi(ROOT) is None:
        # Asked for by name, a missing engine fails the run (engine.run says so); in a full run it is left out, loudly.
        print(f"[{engine.NAME}] not run: no Pulumi engine (`make engine` builds it); its results are kept", flush=True)
        names.remove(engine.NAME)
    info = machine_info()
    print(
        f"benchmarks: {', '.join(names)}{' (quick)' if args.quick else ''}; {info['cores']} cores, "
        f"python {info['python']}; load average {loadavg()}",
        flush=True,
    )
    began = time.perf_counter()
    with warnings.catch_warnings(), EmulatorProcess() as emulator:
        # The official client builds its urllib3 Retry in a way urllib3 deprecates: noise, not ours.
        warnings.simplefilter("ignore", FutureWarning)
        ctx = Context(quick=args.quick, out_dir=out_dir, emulator=emulator, log=lambda m: print(m, flush=True))
        for name in names:
            t0 = time.perf_counter()
            document = BENCHMARKS[name](ctx)
            print(f"\n[{name}] {document['title']}  ({time.perf_counter() - t0:.1f} s)", flush=True)
            for label, value in document["figures"]:
                print(f"  {label:<52} {value}", flush=True)
            for goal in document["goals"]:
                verdict = "met" if goal["met"] else "MISSED"
                print(f"  goal {goal['name']}: {goal['value']} (target {goal['target']}) {verdict}", flush=True)
    summary = write_summary(out_dir)
    print(f"\nwrote {out_dir}/*.json and {summary} in {time.perf_counter() - began:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
