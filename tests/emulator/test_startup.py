"""Start-up of `python -m datarobot_emulator`: failures are one line with a hint, and the token can stay off argv."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from datarobot_emulator.__main__ import build_parser, main
from datarobot_emulator.server import DEFAULT_TOKEN, EmulatorServer
from pulumi_datarobot_retraining.testing.provider_server import stop_process

EMULATOR = [sys.executable, "-m", "datarobot_emulator"]


def failed_start(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the emulator expecting it to refuse to start; returns its single stderr line."""
    completed = subprocess.run(
        [*EMULATOR, *args], check=False, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )
    assert completed.returncode != 0, completed
    assert completed.stdout == "", completed.stdout
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in completed.stderr, completed.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_in_use_is_one_line_with_the_hint(busy_port: int) -> None:
    line = failed_start("--port", str(busy_port))
    assert f"127.0.0.1:{busy_port}" in line and "--port 0" in line


def test_a_corrupt_database_is_one_line_naming_the_file(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a SQLite database\x00" * 200)
    line = failed_start("--port", "0", "--db", str(corrupt))
    assert str(corrupt) in line and "--db" in line


def test_a_database_path_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-directory" / "emulator.db"
    line = failed_start("--port", "0", "--db", str(missing))
    assert str(missing) in line and "--db" in line


def test_an_unreadable_or_empty_token_file_is_one_line(tmp_path: Path) -> None:
    assert str(tmp_path / "absent") in failed_start("--port", "0", "--token-file", str(tmp_path / "absent"))
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert "empty" in failed_start("--port", "0", "--token-file", str(empty))
    assert "not both" in failed_start("--port", "0", "--token", "a", "--token-file", str(empty))


def serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [*EMULATOR, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**{k: v for k, v in os.environ.items() if k != "DATAROBOT_EMULATOR_TOKEN"}, **(env or {})},
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), (url, process.stderr.read() if process.poll() is not None else "")
    return process, url


def answers(url: str, token: str) -> int:
    for _ in range(200):
        try:
            return httpx.get(f"{url}/version/", headers={"Authorization": f"Bearer {token}"}).status_code
        except httpx.ConnectError:
            time.sleep(0.02)
    raise AssertionError(f"{url} never answered")


@pytest.mark.parametrize("source", ["file", "environment"])
def test_the_token_can_come_from_a_file_or_the_environment_instead_of_argv(tmp_path: Path, source: str) -> None:
    secret = "file-or-env-token-1234"
    if source == "file":
        token_file = tmp_path / "token"
        token_file.write_text(secret + "\n")
        token_file.chmod(0o600)
        process, url = serve("--token-file", str(token_file))
    else:
        process, url = serve(env={"DATAROBOT_EMULATOR_TOKEN": secret})
    try:
        assert answers(url, secret) == 200
        assert answers(url, DEFAULT_TOKEN) == 401
        # The process list shows the command line: the token is not on it.
        assert secret not in Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
    finally:
        stop_process(process)


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_a_step_length_that_is_not_a_finite_number_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0", "--step-seconds", value])
    assert exited.value.code == 2
    assert f"--step-seconds: must be a non-negative number of seconds, got '{value}'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("runStatuses=klingon", "runStatuses must be one of lowercase, alternate, opaque"),
        ("colour=blue", "colour is not a variant"),
        ("settingsCredential", "'settingsCredential' is not key=value"),
    ],
)
def test_a_bad_variant_is_a_usage_error_naming_it(value: str, reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0", "--variants", value])
    assert exited.value.code == 2
    assert reason in capsys.readouterr().err


def test_variants_given_at_start_up_are_those_a_reset_returns_to() -> None:
    args = build_parser().parse_args(["--variants", "settingsCredential=echoed, runStatuses=alternate"])
    assert args.variants.to_json()["settingsCredential"] == "echoed"
    assert args.variants.to_json()["runStatuses"] == "alternate"
    with EmulatorServer(variants=args.variants) as server:
        server.control.set_variants(settingsCredential="absent")
        server.control.reset()
        assert server.control.variants()["settingsCredential"] == "echoed"
