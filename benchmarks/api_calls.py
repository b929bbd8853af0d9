"""API calls per lifecycle operation, counted from the emulator's request log, through the real gRPC server."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from datarobot_emulator import seed
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider

from ._common import (
    POLICY_EDIT,
    PROJECT,
    ROOT,
    Context,
    EmulatorProcess,
    Goal,
    loadavg,
    notebook_policy,
    settings_props,
    stack_config,
    write_result,
)

NAME = "api_calls"
TITLE = "API calls per lifecycle operation"
DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID
_ID = re.compile(r"/[0-9a-f]{24}/")

# The minimum the API allows for each operation (the goal), except a policy create's GET: the list of the
# deployment's policies that makes sure no policy already holds the name (a create must never take a policy that
# existed before it, issue 12). The endpoint check (one GET version/ per provider process, before the first 404 is
# believed) does not show here: a clean lifecycle meets no 404.
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "RetrainingSettings": {
        "check": {},
        "create": {"GET": 1, "PATCH": 1},
        "diff (no change)": {},
        "diff (change)": {},
        "update": {"GET": 1, "PATCH": 1},
        "read (refresh)": {"GET": 1},
        "delete": {"PATCH": 1},
    },
    "RetrainingPolicy": {
        "check": {},
        "create": {"GET": 1, "POST": 1},
        "diff (no change)": {},
        "diff (change)": {},
        "update": {"PATCH": 1},
        "read (refresh)": {"GET": 1},
        "delete": {"DELETE": 1},
    },
}


@contextmanager
def start_engine(emulator: EmulatorProcess) -> Iterator[ProviderServer]:
    """The SDK's real `python -m pulumi.dynamic` server, configured with the stack config like the engine does."""
    with ProviderServer(project=PROJECT, cwd=ROOT) as server:
        server.configure(stack_config(emulator))
        yield server


def lifecycle(
    server: ProviderServer,
    emulator: EmulatorProcess,
    type_name: str,
    news: dict[str, Any],
    edited: dict[str, Any],
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Walk one resource through check → create → diff → update → read → delete as the engine does, and return
    the requests each step made (`"PATCH /deployments/{id}/retrainingSettings/"`) and the outputs after create."""
    urn = make_urn(dynamic_type(type_name), "bench", project=PROJECT)
    control = emulator.control
    made: dict[str, list[str]] = {}

    def step(name: str, action: Callable[[], Any]) -> Any:
        control.clear_requests()
        value = action()
        made[name] = [f"{r['method']} {_ID.sub('/{id}/', r['path'])}" for r in control.requests()]
        return value

    checked = step("check", lambda: server.check(urn, {}, news))
    assert not checked.failures, checked.failures
    id_, outputs = step("create", lambda: server.create(urn, checked.inputs))
    again = server.check(urn, checked.inputs, news)
    no_change = step("diff (no change)", lambda: server.diff(urn, id_, outputs, again.inputs))
    assert no_change.changes is False
    want = server.check(urn, checked.inputs, edited)
    change = step("diff (change)", lambda: server.diff(urn, id_, outputs, want.inputs))
    assert change.changes is True and not change.replaces
    updated = step("update", lambda: server.update(urn, id_, outputs, want.inputs))
    read = step("read (refresh)", lambda: server.read(urn, id_, updated, want.inputs))
    assert read.id == id_
    step("delete", lambda: server.delete(urn, id_, read.outputs))
    return made, outputs


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    emulator = ctx.emulator
    emulator.control.reset("demo")
    emulator.control.freeze_clock()
    settings_provider = serialized_provider(RetrainingSettingsProvider())
    policy_provider = serialized_provider(RetrainingPolicyProvider())
    with start_engine(emulator) as server:
        settings_news = {**settings_props(DEPLOYMENT), "__provider": settings_provider}
        settings_edit = {**settings_news, "dataset_id": seed.DEMO_DATASET_2_ID}
        settings_made, _ = lifecycle(server, emulator, "RetrainingSettings", settings_news, settings_edit)
        # A policy needs the deployment's settings in place (the program's depends_on).
        urn = make_urn(dynamic_type("RetrainingSettings"), "for-policy", project=PROJECT)
        server.create(urn, server.check(urn, {}, settings_news).inputs)
        policy_news = {**notebook_policy(DEPLOYMENT), "__provider": policy_provider}
        policy_made, _ = lifecycle(server, emulator, "RetrainingPolicy", policy_news, {**policy_news, **POLICY_EDIT})

    table: dict[str, Any] = {}
    goals: list[Goal] = []
    figures: list[tuple[str, str]] = []
    for resource, made in (("RetrainingSettings", settings_made), ("RetrainingPolicy", policy_made)):
        table[resource] = {}
        for operation, requests in made.items():
            counts = dict(sorted(Counter(r.split(" ", 1)[0] for r in requests).items()))
            expected = EXPECTED[resource][operation]
            table[resource][operation] = {"requests": requests, "counts": counts, "expected": expected}
            goals.append(Goal(f"{resource} {operation}", _calls(expected), _calls(counts), counts == expected))
        row = " · ".join(f"{op}: {_calls(entry['counts'])}" for op, entry in table[resource].items())
        figures.append((f"{resource} calls per operation", row))
    return write_result(
        ctx, NAME, TITLE,
        params={"path": "wire level: python -m pulumi.dynamic over gRPC", "deployment": DEPLOYMENT},
        results={"operations": table}, goals=goals, figures=figures, started=started, load_before=load_before,
    )  # fmt: skip


def _calls(counts: dict[str, int]) -> str:
    return " + ".join(f"{n} {method}" for method, n in sorted(counts.items())) or "0"
