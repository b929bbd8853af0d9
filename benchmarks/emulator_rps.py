"""Requests per second of a live emulator (separate process, as in real use): GET a policy, and create policies.

Run: ``.venv/bin/python benchmarks/emulator_rps.py [--seconds 3] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx

TOKEN = "bench-token"


class OutOfRoomError(Exception):
    """The workload used up what the emulator was seeded with (five policies per deployment)."""


def _measure(name: str, threads: int, seconds: float, work: Callable[[httpx.Client], None], url: str) -> float:
    counts = [0] * threads
    stop = time.monotonic() + seconds
    ran_out: list[float] = []

    def loop(index: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            while time.monotonic() < stop:
                try:
                    work(client)
                except OutOfRoomError:
                    ran_out.append(time.monotonic())
                    return
                counts[index] += 1

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # A rate over the time actually spent working: a worker that ran out of room stops counting early.
    rps = sum(counts) / ((min(ran_out) if ran_out else time.monotonic()) - began)
    if ran_out:
        print(f"{name}: ran out of deployments to create policies on; raise --deployments", file=sys.stderr)
    print(f"{name:<28} threads={threads}  {sum(counts):>6} requests  {rps:8.0f} req/s", flush=True)
    return rps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--deployments", type=int, default=2000, help="room for creates: 5 policies each")
    args = parser.parse_args(argv)
    server = subprocess.Popen(
        [sys.executable, "-m", "datarobot_emulator", "--port", "0", "--token", TOKEN, "--seed", "scale",
         "--deployments", str(args.deployments)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        api = server.stdout.readline().strip()
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            for _ in range(200):
                try:
                    client.get("/version/")
                    break
                except httpx.ConnectError:
                    time.sleep(0.05)
            ids = [d["id"] for d in client.get("/deployments/", params={"limit": 1000}).json()["data"]]
            offset = 1000
            while offset < args.deployments:
                page = client.get("/deployments/", params={"limit": 1000, "offset": offset}).json()
                ids.extend(d["id"] for d in page["data"])
                offset += 1000
            for dep in ids:
                client.patch(f"/deployments/{dep}/retrainingSettings/", json={"datasetId": "6523f1a0c8b2d4e6f8a0b2d1"})
            policy = client.post(f"/deployments/{ids[0]}/retrainingPolicies/", json={"name": "bench"}).json()
        get_path = f"/deployments/{ids[0]}/retrainingPolicies/{policy['id']}/"
        slots = iter([(dep, n) for n in range(5) for dep in ids[1:]])
        slot_lock = threading.Lock()

        def get_policy(client: httpx.Client) -> None:
            response = client.get(get_path)
            assert response.status_code == 200

        def create_policy(client: httpx.Client) -> None:
            with slot_lock:
                slot = next(slots, None)
            if slot is None:
                raise OutOfRoomError
            dep, _ = slot
            body = {"name": "bench", "action": "create_model_package"}
            response = client.post(f"/deployments/{dep}/retrainingPolicies/", json=body)
            assert response.status_code == 200, response.text

        print(f"emulator at {api}; python {sys.version.split()[0]}", flush=True)
        _measure("GET policy", args.threads, args.seconds, get_policy, api)
        _measure("POST policy (create)", args.threads, args.seconds, create_policy, api)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
