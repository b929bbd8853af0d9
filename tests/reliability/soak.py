"""`make soak`: the reliability workloads of the test suite, run longer, with a table of what they measured.

    python -m tests.reliability.soak                       # about 2 minutes
    python -m tests.reliability.soak --duration 900 --kills 20 --real-sleep
    python -m tests.reliability.soak --duration 20 --operations 150 --kills 1 --races 4   # a quick look

Rounds of the fault lifecycle (`workload.FaultWorkload`, a new seed each round) run until `--duration` is spent
(at least one round), then `--kills` SIGKILL-and-restart cycles of the persistence load, then `--races` five-policy
races of four threads. Exits 1 if any round failed an operation, duplicated, orphaned or lost anything.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from datarobot_emulator import seed as demo
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import ResourceOperationError
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from tests.reliability.persistence import crash_cycles
from tests.reliability.workload import FaultWorkload, Figures, configure_provider, format_table, recorded_sleeps

LIMIT_TEXT = "already has 5 retraining policies"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of fault rounds (default 120)")
    parser.add_argument("--operations", type=int, default=300, help="provider operations per round (default 300)")
    parser.add_argument("--deployments", type=int, default=4, help="deployments per round (default 4)")
    parser.add_argument("--fault-rate", type=float, default=0.4, help="share of operations with faults (default 0.4)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first round (default 1)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILL-and-restart cycles (default 3)")
    parser.add_argument("--races", type=int, default=10, help="five-policy races of four threads (default 10)")
    parser.add_argument("--real-sleep", action="store_true", help="really wait out backoff and Retry-After")
    return parser.parse_args(argv)


def fault_rounds(args: argparse.Namespace, emulator: EmulatorServer) -> tuple[Figures, int]:
    total = Figures()
    rounds = 0
    deadline = time.monotonic() + args.duration
    while rounds == 0 or time.monotonic() < deadline:
        emulator.control.reset("demo")
        workload = FaultWorkload(
            emulator.api_url,
            emulator.token,
            emulator.control,
            seed=args.seed + rounds,
            deployments=args.deployments,
            fault_rate=args.fault_rate,
            real_sleep=args.real_sleep,
            name_prefix="soak",
        )
        figures = workload.run(args.operations)
        rounds += 1
        total.merge(figures)
        bad = len(figures.failed_operations) + figures.duplicates + figures.orphans + figures.missing
        bad += len(figures.lost_writes) + len(figures.perpetual_diffs) + len(figures.read_mismatches)
        print(
            f"round {rounds} (seed {args.seed + rounds - 1}): {figures.total_operations} operations, "
            f"{figures.total_faults} faults, {bad} problems, {figures.elapsed:.1f} s",
            flush=True,
        )
        for line in figures.failed_operations + figures.lost_writes + figures.perpetual_diffs + figures.read_mismatches:
            print(f"  {line}", flush=True)
    return total, rounds


def races(count: int, emulator: EmulatorServer) -> tuple[int, int, list[str]]:
    """(races run, refusals seen, problems): four threads create eight policies on a fresh deployment each time."""
    provider = configure_provider(RetrainingPolicyProvider(), emulator.api_url, emulator.token)
    settings = configure_provider(RetrainingSettingsProvider(), emulator.api_url, emulator.token)
    problems: list[str] = []
    refusals = 0
    with recorded_sleeps(provider.client()):
        for _ in range(count):
            deployment = emulator.control.add_deployments(1)[0]
            settings.create(
                {
                    "deployment_id": deployment,
                    "dataset_id": demo.DEMO_DATASET_ID,
                    "retraining_user_id": demo.DEMO_RETRAINING_USER_ID,
                }
            )
            barrier = threading.Barrier(4)

            def create(index: int, deployment: str = deployment, barrier: threading.Barrier = barrier) -> str:
                if index < 4:
                    barrier.wait(timeout=10)
                try:
                    provider.create({"deployment_id": deployment, "name": f"racer-{index}"})
                    return "created"
                except ResourceOperationError as error:
                    return "refused" if LIMIT_TEXT in str(error) else f"unclear refusal: {error}"

            with ThreadPoolExecutor(4) as pool:
                results = list(pool.map(create, range(8)))
            with DataRobotClient(emulator.api_url, emulator.token) as client:
                count_on_server = len(list(client.retraining_policies.list(deployment)))
            refusals += results.count("refused")
            if count_on_server != 5 or results.count("created") != 5:
                problems.append(f"{deployment}: {count_on_server} policies, results {results}")
            problems += [r for r in results if r.startswith("unclear")]
    return count, refusals, problems


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("datarobot_retraining").setLevel(logging.WARNING)
    began = time.monotonic()
    token = f"soak-{uuid.uuid4().hex}"
    with EmulatorServer(token=token, db=":memory:", seed="demo", step_seconds=0.05) as emulator:
        faults, rounds = fault_rounds(args, emulator)
        race_count, refusals, race_problems = races(args.races, emulator) if args.races else (0, 0, [])
    kills = None
    if args.kills:
        with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
            kills = crash_cycles(Path(workdir), token, cycles=args.kills, seconds=1.5, seed_=args.seed)

    rows = [("fault rounds", str(rounds)), *faults.rows()]
    if kills is not None:
        rows += kills.rows()
    rows += [
        ("five-policy races (4 threads, 8 creates)", f"{race_count} ({refusals} clear refusals)"),
        ("race problems", str(len(race_problems))),
        ("total time", f"{time.monotonic() - began:.0f} s"),
    ]
    print()
    print(format_table(rows, "Soak figures"))
    problems = len(faults.failed_operations) + faults.duplicates + faults.orphans + faults.missing
    problems += len(faults.lost_writes) + len(faults.perpetual_diffs) + len(faults.read_mismatches)
    problems += len(race_problems)
    if kills is not None:
        problems += len(kills.lost_writes) + len(kills.unexplained) + len(kills.inconsistencies)
    for line in race_problems + (kills.lost_writes + kills.unexplained + kills.inconsistencies if kills else []):
        print(f"  {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
