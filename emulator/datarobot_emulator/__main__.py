"""Command line: ``python -m datarobot_emulator --port 8080 --token t --db emulator.db --seed demo``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import uvicorn

from .app import create_app
from .backend import Backend
from .faults import API_PREFIX
from .seed import SEEDS
from .server import DEFAULT_TOKEN, bind_socket, format_host, ticker_interval
from .store import Store


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m datarobot_emulator", description="A local DataRobot-compatible retraining API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one (default 8080)")
    parser.add_argument(
        "--token",
        default=os.environ.get("DATAROBOT_EMULATOR_TOKEN", DEFAULT_TOKEN),
        help=f"API token clients must send (default $DATAROBOT_EMULATOR_TOKEN or {DEFAULT_TOKEN!r})",
    )
    parser.add_argument(
        "--db", default=":memory:", help="SQLite file that keeps state across restarts (default :memory:)"
    )
    parser.add_argument(
        "--seed", default="demo", choices=SEEDS, help="world to load into an empty database (default demo)"
    )
    parser.add_argument("--deployments", type=int, default=None, help="extra generated deployments to seed")
    parser.add_argument("--reset", action="store_true", help="wipe the database and seed again even if it holds state")
    parser.add_argument("--step-seconds", type=float, default=2.0, help="length of each run step (default 2)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted. Prints the API base URL (with the real port) as the first stdout line."""
    args = build_parser().parse_args(argv)
    store = Store(args.db)
    backend = Backend(
        store,
        step_seconds=args.step_seconds,
        seed=args.seed,
        seed_deployments=args.deployments,
        reset=args.reset,
    )
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    print(f"http://{format_host(args.host)}:{port}{API_PREFIX}", flush=True)
    config = uvicorn.Config(
        create_app(backend, args.token),
        lifespan="off",
        access_log=False,
        log_level=args.log_level,
        timeout_graceful_shutdown=2,
    )
    backend.start_ticker(ticker_interval(args.step_seconds))
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        backend.stop_ticker()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
