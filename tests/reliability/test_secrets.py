"""Secrets: full lifecycles, failures included, never show the API token anywhere a user or a log could see it.

Scanned: every output and `__provider` (decoded), every exception (str, repr, args, attributes, pickled form,
formatted traceback, and the same for every error chained by `__cause__` or a shown `__context__`), gRPC error
details, the provider process's stdout and stderr, this process's stdout/stderr, every log record at DEBUG, the
offline runner's state file and output.
Both the right token and a wrong one (the 401 case) must stay out.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import pickle
import shutil
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import yaml
from pulumi.dynamic import Config, ConfigureRequest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from pulumi_datarobot_retraining.testing import provider_server
from pulumi_datarobot_retraining.testing.provider_server import (
    ProviderServer,
    dynamic_type,
    make_urn,
    serialized_provider,
)
from tests.reliability.workload import configure_provider, recorded_sleeps

# Distinctive, so that a hit can only be a leak: no id, path or message contains them by chance.
SECRET = f"drs-{uuid.uuid4().hex}-secret"
WRONG = f"drs-{uuid.uuid4().hex}-wrong"
ROOT = Path(__file__).resolve().parents[2]


class Leaks:
    """Scans everything it is shown for the tokens; remembers where it looked and where it found one."""

    def __init__(self, *secrets: str) -> None:
        self.secrets = secrets
        self.scanned = 0
        self.hits: list[str] = []

    def text(self, where: str, text: str | bytes) -> None:
        data = text.decode("latin-1") if isinstance(text, bytes) else text
        self.scanned += 1
        if any(secret in data for secret in self.secrets):
            self.hits.append(where)

    def value(self, where: str, value: Any) -> None:
        self.text(where, repr(value))
        self.text(where, json.dumps(value, default=repr))
        provider = value.get("__provider") if isinstance(value, dict) else None
        if isinstance(provider, str):
            self.provider(f"{where} __provider", provider)

    def provider(self, where: str, serialized: str) -> None:
        self.text(where, serialized)
        self.text(f"{where} (decoded)", base64.b64decode(serialized))

    def error(self, where: str, error: BaseException, *, suppressed_context: bool = False) -> None:
        """Scan the error and every error chained to it as Python shows them: `__cause__`, and `__context__`
        unless `raise ... from ...` suppressed it (or, with `suppressed_context`, even then)."""
        seen: set[int] = set()
        stack: list[BaseException] = [error]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            name = f"{where}: {type(current).__name__}"
            self.text(name, str(current))
            self.text(name, repr(current))
            self.text(name, repr(current.args))
            self.text(name, repr(getattr(current, "__dict__", {})))
            self.text(name, "".join(traceback.format_exception(type(current), current, current.__traceback__)))
            if isinstance(current, grpc.RpcError):
                self.text(name, str(current.details()))  # type: ignore[attr-defined]
                self.text(name, str(current.debug_error_string()))  # type: ignore[attr-defined]
            # Some exceptions cannot be pickled; their texts are scanned above.
            with contextlib.suppress(Exception):
                self.text(f"{name} (pickled)", pickle.dumps(current))
            chained = [current.__cause__]
            if suppressed_context or not current.__suppress_context__:
                chained.append(current.__context__)
            stack += [e for e in chained if e is not None]

    def expect_failure(self, where: str, operation: Callable[[], Any]) -> BaseException:
        try:
            operation()
        except Exception as error:
            self.error(where, error)
            return error
        raise AssertionError(f"{where}: expected a failure")

    def records(self, records: list[logging.LogRecord]) -> None:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        for record in records:
            self.text(f"log {record.name}", formatter.format(record))
            self.text(f"log {record.name} args", repr(record.args))


def test_the_scanner_finds_a_planted_token() -> None:
    leaks = Leaks(SECRET)
    leaks.value("out", {"__provider": base64.b64encode(f"x{SECRET}y".encode()).decode()})
    try:
        raise RuntimeError("outer") from ValueError(f"Authorization: Bearer {SECRET}")
    except RuntimeError as error:
        leaks.error("chained", error)
    assert {"out __provider (decoded)", "chained: ValueError"} <= set(leaks.hits)


@pytest.fixture(scope="module")
def secret_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=SECRET, db=":memory:", seed="demo", step_seconds=0.05) as server:
        yield server


@pytest.fixture
def emulator_with_secret(secret_emulator: EmulatorServer) -> EmulatorServer:
    secret_emulator.control.reset("demo")
    return secret_emulator


@pytest.fixture
def quiet_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No token in the environment: every token in these tests comes from stack config."""
    monkeypatch.delenv("DATAROBOT_API_TOKEN", raising=False)
    monkeypatch.delenv("DATAROBOT_ENDPOINT", raising=False)
    return dict(os.environ)


def echoing_proxy(request: httpx.Request) -> httpx.Response:
    """A misbehaving proxy that echoes the request's Authorization header into its error pages."""
    header = request.headers.get("Authorization", "")
    if request.method == "POST":
        return httpx.Response(502, text=f"<html><head><title>502 {header}</title></head><body>{header}</body></html>")
    if request.method == "PATCH":
        return httpx.Response(422, json={"message": f"bad {header}", "errors": {header: header, "name": header}})
    return httpx.Response(200, text=f"welcome {header}", headers={"Content-Type": "text/plain"})


@pytest.mark.timeout(90)
def test_method_level_lifecycles_and_failures_never_show_the_token(
    emulator_with_secret: EmulatorServer,
    quiet_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="datarobot_retraining")
    emulator = emulator_with_secret
    control = emulator.control
    url = emulator.api_url
    leaks = Leaks(SECRET, WRONG)
    policies = configure_provider(RetrainingPolicyProvider(), url, SECRET)
    settings = configure_provider(RetrainingSettingsProvider(), url, SECRET)
    deployment = control.add_deployments(1)[0]
    policies_path = f"deployments/{deployment}/retrainingPolicies"

    with recorded_sleeps(policies.client()):
        # Settings: create, read, update.
        props = {
            "deployment_id": deployment,
            "dataset_id": seed.DEMO_DATASET_ID,
            "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
        }
        created = settings.create(settings.check({}, props).inputs)
        leaks.value("settings create", created.outs)
        leaks.value("settings read", settings.read(deployment, dict(created.outs or {})).outs)
        control.inject_fault("PATCH", f"deployments/{deployment}/retrainingSettings", drop_after_commit=True)
        updated = settings.update(
            deployment, dict(created.outs or {}), {**props, "credential_id": seed.DEMO_CREDENTIAL_ID}
        )
        leaks.value("settings update", updated.outs)

        # A policy through faults: lost create answer, 429 with Retry-After, 503, lost delete answer.
        inputs = policies.check(
            {}, {"deployment_id": deployment, "name": "p0", "trigger": {"type": "accuracy_decline"}}
        )
        leaks.value("policy check", inputs.inputs)
        control.inject_fault("POST", policies_path, drop_after_commit=True)
        policy = policies.create(inputs.inputs)
        outs = dict(policy.outs or {})
        leaks.value("policy create", outs)
        control.inject_fault("GET", f"{policies_path}/{policy.id}", status=429, retry_after=1)
        leaks.value("policy read", policies.read(str(policy.id), outs).outs)
        control.inject_fault("PATCH", f"{policies_path}/{policy.id}", status=503)
        outs = dict(policies.update(str(policy.id), outs, {**inputs.inputs, "description": "d"}).outs or {})
        leaks.value("policy update", outs)
        control.inject_fault("DELETE", f"{policies_path}/{policy.id}", drop_after_commit=True)
        policies.delete(str(policy.id), outs)

        # Failures: the five-policy limit, a refused action, a create that never lands, a read rate-limited for good.
        made = [policies.create({"deployment_id": deployment, "name": f"p{i}"}) for i in range(1, 6)]
        leaks.expect_failure("sixth policy", lambda: policies.create({"deployment_id": deployment, "name": "p6"}))
        leaks.expect_failure(
            "no challengers",
            lambda: policies.create({"deployment_id": seed.NO_CHALLENGERS_DEPLOYMENT_ID, "name": "c"}),
        )
        control.inject_fault("POST", f"deployments/{seed.DEMO_DEPLOYMENT_ID}/retrainingPolicies", count=3, status=502)
        leaks.expect_failure(
            "never landed", lambda: policies.create({"deployment_id": seed.DEMO_DEPLOYMENT_ID, "name": "lost"})
        )
        control.inject_fault("GET", f"{policies_path}/{made[0].id}", count=10, status=429, retry_after=0)
        leaks.expect_failure("rate limited", lambda: policies.read(str(made[0].id), dict(made[0].outs or {})))
        control.clear_faults()
        leaks.expect_failure("unknown deployment", lambda: policies.create({"deployment_id": "nope", "name": "x"}))
        for item in made:
            policies.delete(str(item.id), dict(item.outs or {}))

    # A wrong token: 401 on every call, and neither token in what the user sees.
    wrong = configure_provider(RetrainingPolicyProvider(), url, WRONG)
    wrong_settings = configure_provider(RetrainingSettingsProvider(), url, WRONG)
    leaks.expect_failure("401 create", lambda: wrong.create({"deployment_id": deployment, "name": "w"}))
    leaks.expect_failure("401 read", lambda: wrong.read("65f000000000000000000001", {"deployment_id": deployment}))
    leaks.expect_failure("401 settings", lambda: wrong_settings.create({"deployment_id": deployment}))

    # No token at all.
    unconfigured = RetrainingPolicyProvider()
    unconfigured.configure(ConfigureRequest(Config({"datarobot:endpoint": url}, "p")))
    leaks.expect_failure("no token", lambda: unconfigured.create({"deployment_id": deployment, "name": "n"}))

    # A proxy that echoes the Authorization header into its answers: the client scrubs it from every error.
    proxied = DataRobotClient("https://dr.example.com/api/v2", SECRET, transport=httpx.MockTransport(echoing_proxy))
    proxied._http._sleep = lambda _seconds: None
    echo = RetrainingPolicyProvider()
    echo.client = lambda: proxied  # type: ignore[method-assign]
    leaks.expect_failure("proxy POST", lambda: echo.create({"deployment_id": deployment, "name": "e"}))
    leaks.expect_failure("proxy GET", lambda: echo.read("65f000000000000000000001", {"deployment_id": deployment}))
    leaks.expect_failure(
        "proxy PATCH",
        lambda: echo.update(
            "65f000000000000000000001", {"deployment_id": deployment}, {"deployment_id": deployment, "name": "e"}
        ),
    )

    # The providers and clients themselves: what a debugger, a repr in a log, or the engine's state would show.
    for name, provider in (("policies", policies), ("settings", settings), ("wrong", wrong)):
        leaks.text(f"{name} repr", repr(provider) + repr(vars(provider)) + repr(provider.config))
        leaks.text(f"{name} pickle", pickle.dumps(provider))
        leaks.provider(f"{name} __provider", serialized_provider(provider))
        client = provider.client()
        leaks.text(f"{name} client", repr(client) + repr(vars(client)) + repr(vars(client._http)))

    captured = capfd.readouterr()
    leaks.text("stdout", captured.out)
    leaks.text("stderr", captured.err)
    leaks.records(caplog.records)
    assert "lost its answer, but the policy was created" in captured.err  # the streams really were captured
    assert any("retry" in r.getMessage() for r in caplog.records)  # and so were the DEBUG logs

    print(f"method level: {leaks.scanned} texts scanned, {len(caplog.records)} log records, {len(leaks.hits)} hits")
    assert leaks.hits == []


class CapturingProviderServer(ProviderServer):
    """`ProviderServer` that also keeps the provider process's stdout (the base class only drains it)."""

    def start(self, timeout: float = 60.0) -> ProviderServer:
        self.stdout_lines: list[str] = []
        original = provider_server._drain

        def drain(stream: Any, sink: list[str] | None) -> None:
            original(stream, self.stdout_lines if sink is None else sink)

        provider_server._drain = drain
        try:
            return super().start(timeout)
        finally:
            provider_server._drain = original


POLICY = dynamic_type("RetrainingPolicy")
SETTINGS = dynamic_type("RetrainingSettings")


@pytest.mark.timeout(120)
def test_wire_level_lifecycles_and_failures_never_show_the_token(
    emulator_with_secret: EmulatorServer, quiet_env: dict[str, str]
) -> None:
    emulator = emulator_with_secret
    control = emulator.control
    leaks = Leaks(SECRET, WRONG)
    policy_provider = serialized_provider(RetrainingPolicyProvider())
    settings_provider = serialized_provider(RetrainingSettingsProvider())
    deployment = control.add_deployments(1)[0]
    path = f"deployments/{deployment}/retrainingPolicies"
    servers: list[CapturingProviderServer] = []

    def expect_rpc_failure(where: str, call: Callable[[], Any]) -> str:
        error = leaks.expect_failure(where, call)
        assert isinstance(error, grpc.RpcError), error
        return str(error.details())  # type: ignore[attr-defined]

    with CapturingProviderServer(project="secrets", env=quiet_env) as server:
        servers.append(server)
        server.configure({"datarobot:endpoint": emulator.api_url, "datarobot:apikey": SECRET})
        urn = make_urn(SETTINGS, "settings")
        checked = server.check(
            urn,
            {},
            {
                "deployment_id": deployment,
                "dataset_id": seed.DEMO_DATASET_ID,
                "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
                "__provider": settings_provider,
            },
        )
        leaks.value("settings check", checked.inputs)
        _id, settings_outs = server.create(urn, checked.inputs)
        leaks.value("settings create", settings_outs)
        leaks.value("settings read", server.read(urn, deployment, settings_outs).outputs)

        urns: dict[str, tuple[str, dict[str, Any]]] = {}
        for index in range(5):
            urn = make_urn(POLICY, f"p{index}")
            news = {"deployment_id": deployment, "name": f"p{index}", "__provider": policy_provider}
            checked = server.check(urn, {}, news)
            leaks.value(f"p{index} check", checked.inputs)
            control.inject_fault("POST", path, drop_after_commit=index % 2 == 0, status=None if index % 2 == 0 else 429)
            policy_id, outs = server.create(urn, checked.inputs)
            leaks.value(f"p{index} create", outs)
            urns[urn] = (policy_id, outs)
        details = expect_rpc_failure(
            "sixth",
            lambda: server.create(
                make_urn(POLICY, "p5"), {"deployment_id": deployment, "name": "p5", "__provider": policy_provider}
            ),
        )
        assert "already has 5 retraining policies" in details

        first_urn, (first_id, first_outs) = next(iter(urns.items()))
        control.inject_fault("PATCH", f"{path}/{first_id}", status=503)
        news = {**first_outs, "description": "edited", "__provider": policy_provider}
        leaks.value("diff", vars(server.diff(first_urn, first_id, first_outs, news)))
        updated = server.update(first_urn, first_id, first_outs, news)
        leaks.value("update", updated)
        control.inject_fault("GET", f"{path}/{first_id}", count=10, status=429, retry_after=0)
        expect_rpc_failure("rate limited read", lambda: server.read(first_urn, first_id, updated))
        control.clear_faults()
        leaks.value("read", server.read(first_urn, first_id, updated).outputs)
        for urn, (policy_id, outs) in urns.items():
            control.inject_fault("DELETE", f"{path}/{policy_id}", drop_after_commit=True)
            server.delete(urn, policy_id, outs)
        control.inject_fault("POST", path, count=3, status=502)
        expect_rpc_failure(
            "never landed",
            lambda: server.create(
                make_urn(POLICY, "lost"), {"deployment_id": deployment, "name": "lost", "__provider": policy_provider}
            ),
        )

    with CapturingProviderServer(project="secrets-wrong", env=quiet_env) as wrong:
        servers.append(wrong)
        wrong.configure({"datarobot:endpoint": emulator.api_url, "datarobot:apikey": WRONG})
        details = expect_rpc_failure(
            "401 create",
            lambda: wrong.create(
                make_urn(POLICY, "w"), {"deployment_id": deployment, "name": "w", "__provider": policy_provider}
            ),
        )
        assert "401" in details
        # The state of a policy the stack created, so that the delete really reaches the API (and its 401).
        created_state = {
            "deployment_id": deployment,
            "name": "w",
            "provenance": "created",
            "__provider": policy_provider,
        }
        details = expect_rpc_failure(
            "401 delete", lambda: wrong.delete(make_urn(POLICY, "w"), "65f000000000000000000001", created_state)
        )
        assert "401" in details

    lines = 0
    for index, process in enumerate(servers):
        lines += len(process.stderr_lines) + len(process.stdout_lines)
        leaks.text(f"provider process {index} stderr", "\n".join(process.stderr_lines))
        leaks.text(f"provider process {index} stdout", "\n".join(process.stdout_lines))
    assert any("lost its answer" in line for line in servers[0].stderr_lines)  # stderr really was captured
    print(f"wire level: {leaks.scanned} texts scanned, {lines} provider process lines, {len(leaks.hits)} hits")
    assert leaks.hits == []


@pytest.mark.timeout(120)
def test_offline_runner_state_and_output_never_show_the_token(
    emulator_with_secret: EmulatorServer,
    quiet_env: dict[str, str],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from pulumi_datarobot_retraining.testing.offline import OfflineRunner

    emulator = emulator_with_secret
    leaks = Leaks(SECRET, WRONG)
    program = tmp_path / "quickstart"
    shutil.copytree(ROOT / "examples" / "quickstart", program, ignore=shutil.ignore_patterns("__pycache__"))
    project = "datarobot-retraining-quickstart"
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    config = {f"{project}:{key}": str(value["default"]) for key, value in declared.items()}
    state = tmp_path / "state.json"
    out = io.StringIO()

    def runner(token: str) -> OfflineRunner:
        settings = {**config, "datarobot:endpoint": emulator.api_url, "datarobot:apikey": token}
        return OfflineRunner(program, state, settings, project=project, out=out, provider_env=quiet_env)

    policies = f"deployments/{seed.DEMO_DEPLOYMENT_ID}/retrainingPolicies"
    emulator.control.inject_fault("POST", policies, drop_after_commit=True)
    up = runner(SECRET).up()
    leaks.value("up outputs", up.outputs)
    leaks.text("state after up", state.read_text())
    main = program / "__main__.py"
    main.write_text(main.read_text().replace("hour=[6]", "hour=[7]"))
    emulator.control.inject_fault("PATCH", f"{policies}/*", status=503)
    leaks.value("edit outputs", runner(SECRET).up().outputs)
    leaks.text("state after edit", state.read_text())
    runner(SECRET).refresh()
    leaks.text("state after refresh", state.read_text())

    # The same stack with a wrong token: the refresh fails, and the state keeps no trace of either token.
    leaks.expect_failure("wrong token refresh", lambda: runner(WRONG).refresh())
    leaks.expect_failure("wrong token destroy", lambda: runner(WRONG).destroy())
    leaks.text("state after failures", state.read_text())
    runner(SECRET).destroy()
    leaks.text("state after destroy", state.read_text())

    captured = capfd.readouterr()
    leaks.text("runner output", out.getvalue())
    leaks.text("stdout", captured.out)
    leaks.text("stderr", captured.err)
    assert "Applied" in out.getvalue() and json.loads(state.read_text())["resources"] == []
    print(f"offline runner: {leaks.scanned} texts scanned, {len(leaks.hits)} hits")
    assert leaks.hits == []


def test_suppressed_context_of_a_body_error_does_not_keep_the_raw_body() -> None:
    # The client raises its body errors outside the decoder's `except` block, so no hidden __context__ keeps the
    # raw body (here a proxy's echo of the token).
    leaks = Leaks(SECRET)
    proxied = DataRobotClient("https://dr.example.com/api/v2", SECRET, transport=httpx.MockTransport(echoing_proxy))
    error = leaks.expect_failure("GET", lambda: proxied.retraining_policies.get(seed.DEMO_DEPLOYMENT_ID, "x"))
    assert leaks.hits == []  # nothing a traceback, str or repr shows...
    leaks.error("GET, suppressed context included", error, suppressed_context=True)
    assert leaks.hits == []  # ...and no hidden context holds the body either
