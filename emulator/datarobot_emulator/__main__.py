"""Command line: ``python -m datarobot_emulator --port 8080 --token t --db emulator.db --seed demo``."""

from __future__ import annotations

import argparse
import errno
import math
import os
import socket
import sqlite3
import sys
from collections.abc import Callable, Sequence

import uvicorn

from .app import create_app
from .backend import Backend
from .faults import API_PREFIX
from .seed import SEEDS
from .server import DEFAULT_TOKEN, bind_socket, format_host, ticker_interval
from .store import Store
from .variants import CHOICES, Variants

TOKEN_ENV = "DATAROBOT_EMULATOR_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m datarobot_emulator", description="A local DataRobot-compatible retraining API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one (default 8080)")
    parser.add_argument(
        "--token",
        default=None,
        help=f"API token clients must send (default ${TOKEN_ENV}, else {DEFAULT_TOKEN!r}); visible in the process "
        "list, so prefer --token-file or the environment for a real secret",
    )
    parser.add_argument(
        "--token-file",
        default=None,
        metavar="PATH",
        help="read the API token from this file (its first line); the safest way: only the file's owner can read it",
    )
    parser.add_argument(
        "--db", default=":memory:", help="SQLite file that keeps state across restarts (default :memory:)"
    )
    parser.add_argument(
        "--seed", default="demo", choices=SEEDS, help="world to load into an empty database (default demo)"
    )
    parser.add_argument("--deployments", type=int, default=None, help="extra generated deployments to seed")
    parser.add_argument("--reset", action="store_true", help="wipe the database and seed again even if it holds state")
    parser.add_argument("--step-seconds", type=_seconds, default=2.0, help="length of each run step (default 2)")
    parser.add_argument(
        "--variants",
        type=_variants,
        default=Variants(),
        metavar="KEY=VALUE,...",
        help="answer as a server might where DataRobot's public record is silent (defaults follow the record; "
        "docs/emulator.md); " + "; ".join(f"{key}: {'|'.join(choices)}" for key, choices in CHOICES.items()),
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    return parser


def _variants(text: str) -> Variants:
    try:
        return Variants.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise argparse.ArgumentTypeError(f"must be a non-negative number of seconds, got {text!r}")
    return seconds


class StartupError(Exception):
    """The emulator cannot start as asked; the message is the one line the user sees."""


def main(argv: Sequence[str] | None = None, *, on_ready: Callable[[str], None] | None = None) -> int:
    """Serve until interrupted. Prints the API base URL (with the real port) as the first stdout line.

    `on_ready(api_url)` is called right after that line (the `datarobot-retraining` command prints more there).
    A failure to start (token, database, port) is one line on stderr and exit code 1, never a traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        token = _token(args.token, args.token_file)
        store = _open_store(args.db)
        try:
            backend = Backend(
                store,
                step_seconds=args.step_seconds,
                seed=args.seed,
                seed_deployments=args.deployments,
                reset=args.reset,
                variants=args.variants,
            )
        except sqlite3.Error as error:
            store.close()
            raise _database_error(args.db, error) from error
        try:
            sock = _listen(args.host, args.port)
        except StartupError:
            store.close()
            raise
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    port = sock.getsockname()[1]
    api_url = f"http://{format_host(args.host)}:{port}{API_PREFIX}"
    print(api_url, flush=True)
    if on_ready is not None:
        on_ready(api_url)
    config = uvicorn.Config(
        create_app(backend, token),
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


def _token(given: str | None, path: str | None) -> str:
    """--token, else the first line of --token-file, else $DATAROBOT_EMULATOR_TOKEN, else the default."""
    if given is not None and path is not None:
        raise StartupError("give the token with --token or --token-file, not both")
    if path is not None:
        try:
            with open(path, encoding="utf-8") as file:
                token = file.readline().strip()
        except (OSError, UnicodeDecodeError) as error:
            raise StartupError(f"cannot read the token file {path}: {_reason(error)}") from error
        if not token:
            raise StartupError(f"the token file {path} is empty; write the token on its first line")
        return token
    token = given if given is not None else os.environ.get(TOKEN_ENV, DEFAULT_TOKEN)
    if not token.strip():
        raise StartupError(f"the token is empty; pass a non-empty --token, --token-file or ${TOKEN_ENV}")
    return token.strip()


def _open_store(db: str) -> Store:
    try:
        return Store(db)
    except sqlite3.Error as error:
        raise _database_error(db, error) from error


def _database_error(db: str, error: sqlite3.Error) -> StartupError:
    return StartupError(
        f"cannot use the database {db}: {_reason(error)}; check that its directory exists and is writable, "
        "or point --db at another file"
    )


def _listen(host: str, port: int) -> socket.socket:
    try:
        return bind_socket(host, port)
    except OSError as error:
        hint = "; pass --port 0 to pick a free port" if error.errno == errno.EADDRINUSE else ""
        raise StartupError(f"cannot listen on {format_host(host)}:{port}: {_reason(error)}{hint}") from error


def _reason(error: Exception) -> str:
    text = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return " ".join(text.split()).rstrip(".").lower() or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
