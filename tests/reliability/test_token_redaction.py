"""No piece of the API token, in any encoding, survives into an error: not a truncated echo, not a base64 echo.

A proxy on a localhost socket sits in front of the emulator and answers with error pages that echo the request's
`Authorization` header: cut by the client's length limits (the token straddling the cut), URL-encoded, and
base64-encoded. What the user sees is scanned for every 10-character piece of every encoding of the token, through
the client, the real `python -m pulumi.dynamic` server and the installed CLI. A token that cannot be sent in a header
at all (line break, NUL, control or non-ASCII character) is refused when it is configured, in one sentence that does
not show it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import grpc
import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import APIStatusError, ConfigurationError
from datarobot_retraining.resources import RetrainingPolicyProvider
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider
from tests.reliability.echo_proxy import Echo, EchoProxy

# Characters that URL-encoding changes, so the encoded forms differ from the raw one.
SECRET = f"Dr+{uuid.uuid4().hex[:20]}/{uuid.uuid4().hex[:20]}=="
PIECE = 10
SCRIPT = Path(sys.executable).with_name("datarobot-retraining")
POLICY = dynamic_type("RetrainingPolicy")
# Where the client cuts what it quotes: a server message or field reason, and the raw body it keeps.
MESSAGE_CUT = 299
BODY_CUT = 4096


def _b64(text: str, *, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(text.encode()).decode()


def _b64_cores(token: str) -> list[str]:
    """The base64 text that encodes only token bytes, at each of the three alignments the token can have."""
    cores = []
    for alignment in range(3):
        for urlsafe in (False, True):
            encoded = _b64("\0" * alignment + token, urlsafe=urlsafe).rstrip("=")
            start = 4 if alignment else 0  # the first group mixes in bytes before the token
            cores.append(encoded[start : len(encoded) - 4])  # the last group depends on what follows
    return cores


def encodings(token: str) -> list[str]:
    header = f"Bearer {token}"
    return [
        token,
        quote(token, safe=""),
        quote_plus(token),
        _b64(token),
        _b64(header),
        _b64(header, urlsafe=True),
        *_b64_cores(token),
    ]


FORMS = encodings(SECRET)


def leaked_pieces(text: str) -> list[str]:
    """Every 10-character piece of any encoding of the token found in `text` (none may be)."""
    return sorted({form[i : i + PIECE] for form in FORMS for i in range(len(form) - PIECE + 1)} & _windows(text))


def _windows(text: str) -> set[str]:
    return {text[i : i + PIECE] for i in range(len(text) - PIECE + 1)}


def error_texts(error: BaseException) -> str:
    """Everything an error shows, for it and each error chained to it."""
    texts = []
    current: BaseException | None = error
    while current is not None:
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        texts.append("".join(traceback.format_exception(type(current), current, current.__traceback__)))
        if isinstance(current, grpc.RpcError):
            texts.append(str(current.details()))  # type: ignore[attr-defined]
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


def _straddling(prefix_length: int, survivors: int, header: str) -> str:
    """Padding that puts `survivors` characters of the token before a cut `prefix_length` characters in."""
    return "x" * (prefix_length - len("Bearer ") - survivors) + header


def _json(message: Any) -> Echo:
    return Echo(400, "application/json", json.dumps(message))


ECHOES: dict[str, Callable[[str], Echo]] = {
    **{
        f"message straddling the cut, {n} characters before it": (
            lambda header, n=n: _json({"message": _straddling(MESSAGE_CUT, n, header)})
        )
        for n in (PIECE, len(SECRET) // 2, len(SECRET) - 1)
    },
    "field reason straddling the cut": lambda header: _json(
        {"message": "Invalid field.", "errors": {"name": _straddling(MESSAGE_CUT, len(SECRET) // 2, header)}}
    ),
    "HTML title straddling the cut": lambda header: Echo(
        403,  # a gateway's "Forbidden" page; not retried, so one echo per call
        "text/html",
        f"<html><head><title>{_straddling(MESSAGE_CUT, len(SECRET) // 2, header)}</title></head><body></body></html>",
    ),
    "plain-text first line straddling the cut": lambda header: Echo(
        400, "text/plain", _straddling(MESSAGE_CUT, len(SECRET) // 2, header) + "\nsecond line"
    ),
    "raw body straddling its cut": lambda header: Echo(
        400, "text/plain", "Bad request\n" + _straddling(BODY_CUT - len("Bad request\n"), len(SECRET) // 2, header)
    ),
    "URL-encoded": lambda header: _json({"message": f"echo Authorization={quote(header, safe='')}"}),
    "URL-encoded with +": lambda header: _json({"message": f"echo {quote_plus(header)}"}),
    "URL-encoded, lower-case hex": lambda header: _json(
        {"message": "echo " + "".join(c if c.isalnum() else f"%{ord(c):02x}" for c in header)}
    ),
    "base64 of the header value": lambda header: _json({"message": f"request {_b64(header)} refused"}),
    "base64 of the token": lambda header: _json({"message": f"token={_b64(header.split(' ', 1)[1])}"}),
    "base64url of the whole header line": lambda header: _json(
        {"message": f"trace {_b64('Authorization: ' + header, urlsafe=True)}"}
    ),
}


@pytest.fixture(scope="module")
def secret_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=SECRET, db=":memory:", seed="demo", step_seconds=0.05) as server:
        yield server


@pytest.fixture
def proxy(secret_emulator: EmulatorServer) -> Iterator[EchoProxy]:
    secret_emulator.control.reset("demo")
    with EchoProxy(secret_emulator.base_url) as echo_proxy:
        yield echo_proxy


def echo_on_gets(proxy: EchoProxy, page: Callable[[str], Echo]) -> None:
    proxy.rule = lambda method, _path, authorization: page(authorization) if method == "GET" else None


def test_the_piece_scanner_sees_a_truncated_and_an_encoded_token() -> None:
    assert leaked_pieces(f"...{SECRET[:PIECE]}…") and leaked_pieces(_b64(f"Authorization: Bearer {SECRET}"))
    assert leaked_pieces(quote(SECRET, safe="")) and not leaked_pieces("GET /deployments/x/ failed with 400")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("echo", list(ECHOES))
def test_client_errors_hold_no_piece_of_an_echoed_token(proxy: EchoProxy, echo: str) -> None:
    echo_on_gets(proxy, ECHOES[echo])
    client = DataRobotClient(proxy.base_url + "/api/v2", SECRET, max_retries=0)
    with client, pytest.raises(APIStatusError) as caught:
        client.retraining_policies.get(seed.DEMO_DEPLOYMENT_ID, "65f000000000000000000001")
    assert proxy.echoed == 1
    assert leaked_pieces(error_texts(caught.value) + repr(caught.value.body)) == []


@pytest.mark.timeout(120)
def test_provider_errors_over_grpc_hold_no_piece_of_an_echoed_token(proxy: EchoProxy) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}
    provider = serialized_provider(RetrainingPolicyProvider())
    outputs = {"deployment_id": seed.DEMO_DEPLOYMENT_ID, "name": "echoed", "__provider": provider}
    found: dict[str, list[str]] = {}
    with ProviderServer(project="redaction", env=env) as server:
        server.configure({"datarobot:endpoint": proxy.base_url + "/api/v2", "datarobot:apikey": SECRET})
        for name, page in ECHOES.items():
            echo_on_gets(proxy, page)
            with pytest.raises(grpc.RpcError) as caught:
                server.read(make_urn(POLICY, "echoed"), "65f000000000000000000001", outputs)
            found[name] = leaked_pieces(error_texts(caught.value))
        stderr = "\n".join(server.stderr_lines)
    assert proxy.echoed >= len(ECHOES)
    assert {name: pieces for name, pieces in found.items() if pieces} == {}
    assert leaked_pieces(stderr) == []


def run_script(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}
    return subprocess.run(
        [str(SCRIPT), *argv], check=False, capture_output=True, text=True, env={**base, **(env or {})}, timeout=60
    )


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "echo",
    [
        f"message straddling the cut, {len(SECRET) // 2} characters before it",
        "HTML title straddling the cut",
        "plain-text first line straddling the cut",
        "URL-encoded",
        "base64 of the header value",
    ],
)
def test_cli_errors_hold_no_piece_of_an_echoed_token(proxy: EchoProxy, echo: str) -> None:
    echo_on_gets(proxy, ECHOES[echo])
    done = run_script(
        "--endpoint", proxy.base_url + "/api/v2", "--token", SECRET, "policies", "list", seed.DEMO_DEPLOYMENT_ID
    )
    assert done.returncode == 1 and proxy.echoed == 1
    assert done.stderr.startswith("error: GET ") and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert leaked_pieces(done.stdout + done.stderr) == []


# Tokens no header can carry. A NUL cannot be passed in argv or the environment, so the CLI gets the other three.
BAD_TOKENS = {
    "a line break": f"{SECRET[:20]}\n{SECRET[20:]}",
    "a NUL": f"{SECRET}\x00",
    "an escape character": f"{SECRET[:10]}\x1b{SECRET[10:]}",
    "a non-ASCII character": f"{SECRET[:30]}é{SECRET[30:]}",
}
REFUSAL = "The DataRobot API token given by "


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_client_construction_refuses_a_token_no_header_can_carry(secret_emulator: EmulatorServer, kind: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        DataRobotClient(secret_emulator.api_url, BAD_TOKENS[kind])
    message = str(caught.value)
    assert message.startswith(REFUSAL) and "\n" not in message and message.count(". ") == 0, message
    assert leaked_pieces(error_texts(caught.value)) == []


@pytest.mark.timeout(60)
def test_the_provider_refuses_a_token_no_header_can_carry_when_it_is_configured(
    secret_emulator: EmulatorServer,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}
    news = {
        "deployment_id": seed.DEMO_DEPLOYMENT_ID,
        "name": "bad-token",
        "__provider": serialized_provider(RetrainingPolicyProvider()),
    }
    urn = make_urn(POLICY, "bad-token")
    for kind, token in BAD_TOKENS.items():
        with ProviderServer(project="bad-token", env=env) as server:
            server.configure({"datarobot:endpoint": secret_emulator.api_url, "datarobot:apikey": token})
            # Refused at configuration, so already by check, which makes no API call.
            with pytest.raises(grpc.RpcError) as checked:
                server.check(urn, {}, news)
            with pytest.raises(grpc.RpcError) as created:
                server.create(urn, news)
            stderr = "\n".join(server.stderr_lines)
        for caught in (checked, created):
            details = str(caught.value.details())  # type: ignore[attr-defined]
            last_line = details.strip().splitlines()[-1]
            # The provider process answers our own errors with their sentence alone (resources/_engine.py).
            assert last_line.startswith(f"{REFUSAL}datarobot:apikey contains"), (kind, last_line)
            assert leaked_pieces(details) == [], kind
        assert leaked_pieces(stderr) == [], kind


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", [kind for kind in BAD_TOKENS if kind != "a NUL"])
@pytest.mark.parametrize("source", ["--token", "DATAROBOT_API_TOKEN"])
def test_the_cli_refuses_a_token_no_header_can_carry(secret_emulator: EmulatorServer, kind: str, source: str) -> None:
    token = BAD_TOKENS[kind]
    flags = ["--token", token] if source == "--token" else []
    env = {"DATAROBOT_API_TOKEN": token} if source != "--token" else {}
    done = run_script(
        "--endpoint", secret_emulator.api_url, *flags, "policies", "list", seed.DEMO_DEPLOYMENT_ID, env=env
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {REFUSAL}{source} contains"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert leaked_pieces(done.stdout + done.stderr) == []
