"""Provider overhead: policy create → read → update → delete through the provider methods vs bare `httpx` calls.

The bare arm that the goal is judged against sends the very bodies the provider sends (captured off the provider's
own HTTP client), so the ratio isolates the provider's work from the emulator's work on bigger bodies. A second bare
arm sends hand-written bodies, as a script would (its update only the edited fields): the earlier figure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from datarobot_emulator import seed
from datarobot_retraining.inputs._validation import renormalize
from datarobot_retraining.inputs.retraining_policy import POLICY_LEAVES
from datarobot_retraining.leaf_diff import leaves, nest
from datarobot_retraining.models import RetrainingPolicy, RetrainingPolicyCreate
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider

from ._common import (
    NOTEBOOK_POLICY_WIRE,
    POLICY_EDIT,
    POLICY_EDIT_WIRE,
    Arm,
    Context,
    Goal,
    bare_client,
    configured,
    interleave,
    loadavg,
    notebook_policy,
    ratios,
    rounded,
    settings_props,
    summarize,
    write_result,
)

NAME = "overhead"
TITLE = "Provider overhead (policy create → read → update → delete)"
GOAL_RATIO = 1.10
# Per cycle, in every arm: list (the create's name check), create, read, update, delete.
CALLS_PER_CYCLE = 5
DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    # 24 rounds: on these noisy 2-core machines the median of per-round ratios moves by ±0.05 at 12 rounds.
    cycles, rounds = (20, 2) if ctx.quick else (200, 24)
    emulator = ctx.emulator
    emulator.control.reset("demo")
    emulator.control.freeze_clock()
    settings: RetrainingSettingsProvider = configured(RetrainingSettingsProvider(), emulator)
    settings.create(settings.check({}, settings_props(DEPLOYMENT)).inputs)
    policy: RetrainingPolicyProvider = configured(RetrainingPolicyProvider(), emulator)
    news = notebook_policy(DEPLOYMENT)
    checked = policy.check({}, news).inputs
    edited = policy.check({}, {**news, **POLICY_EDIT}).inputs
    edited_news = {**news, **POLICY_EDIT}
    base = f"/deployments/{DEPLOYMENT}/retrainingPolicies/"
    http = bare_client(emulator)
    create_body, update_body = provider_bodies(policy, checked, edited)

    def provider_cycles() -> None:
        for _ in range(cycles):
            created = policy.create(checked)
            outs = created.outs or {}
            policy.read(created.id, outs)
            outs = policy.update(created.id, outs, edited).outs or {}
            policy.delete(created.id, outs)

    def engine_cycles() -> None:
        # What the engine really sends around the same calls: check before create and update, diff before update.
        for _ in range(cycles):
            created = policy.create(policy.check({}, news).inputs)
            outs = created.outs or {}
            policy.read(created.id, outs)
            want = policy.check(checked, edited_news).inputs
            assert policy.diff(created.id, outs, want).changes
            outs = policy.update(created.id, outs, want).outs or {}
            policy.delete(created.id, outs)

    def bare_cycles(create: dict[str, Any], update: dict[str, Any]) -> Callable[[], None]:
        def cycles_of_calls() -> None:
            for _ in range(cycles):
                # The provider's create lists the policies first (no policy may hold the name): the same calls here.
                http.get(base).raise_for_status()
                response = http.post(base, json=create)
                response.raise_for_status()
                path = f"{base}{response.json()['id']}/"
                http.get(path).raise_for_status()
                http.patch(path, json=update).raise_for_status()
                http.delete(path).raise_for_status()

        return cycles_of_calls

    provider_arm = Arm("provider", provider_cycles)
    engine_arm = Arm("provider_with_check_diff", engine_cycles)
    bare_arm = Arm("bare_httpx", bare_cycles(create_body, update_body))
    minimal_arm = Arm("bare_httpx_minimal_bodies", bare_cycles(NOTEBOOK_POLICY_WIRE, POLICY_EDIT_WIRE))
    arms = [provider_arm, bare_arm, engine_arm, minimal_arm]

    # Untimed warm-up (imports, pydantic schema caches, connection pools), and a count of requests per cycle.
    request_counts: dict[str, int] = {}
    for arm in arms:
        emulator.control.clear_requests()
        arm.run()
        request_counts[arm.name] = len(emulator.control.requests())

    interleave(arms, rounds, between=emulator.control.clear_requests, server_cpu=emulator.cpu_seconds)
    response = http.post(base, json=NOTEBOOK_POLICY_WIRE)
    answer = response.json()
    http.delete(f"{base}{answer['id']}/")
    http.close()
    breakdown = cpu_breakdown(policy, news, checked, answer, 50 if ctx.quick else 500)

    operations = cycles * CALLS_PER_CYCLE
    per_arm: dict[str, Any] = {}
    for arm in arms:
        per_arm[arm.name] = {
            "wall_s": rounded(summarize(arm.wall)),
            "ms_per_cycle": round(summarize(arm.wall)["median"] / cycles * 1000, 3),
            "client_cpu_ms_per_cycle": round(summarize(arm.cpu)["median"] / cycles * 1000, 3),
            "emulator_cpu_ms_per_cycle": round(summarize(arm.server_cpu)["median"] / cycles * 1000, 3),
            "requests_per_cycle": request_counts[arm.name] / cycles,
        }
    wall_ratio = summarize(ratios(provider_arm.wall, bare_arm.wall))
    minimal_ratio = summarize(ratios(provider_arm.wall, minimal_arm.wall))
    engine_ratio = summarize(ratios(engine_arm.wall, bare_arm.wall))
    cpu_ratio = summarize(ratios(provider_arm.cpu, bare_arm.cpu))
    added_ms = [(a - b) / operations * 1000 for a, b in zip(provider_arm.wall, bare_arm.wall, strict=True)]
    results = {
        "arms": per_arm,
        "ratio_provider_vs_bare": rounded(wall_ratio),
        "ratio_provider_vs_bare_minimal_bodies": rounded(minimal_ratio),
        "body_bytes": {
            "provider_create": len(json.dumps(create_body)),
            "provider_update": len(json.dumps(update_body)),
            "minimal_create": len(json.dumps(NOTEBOOK_POLICY_WIRE)),
            "minimal_update": len(json.dumps(POLICY_EDIT_WIRE)),
        },
        "ratio_provider_with_check_diff_vs_bare": rounded(engine_ratio),
        "client_cpu_ratio_provider_vs_bare": rounded(cpu_ratio),
        "added_ms_per_api_call": rounded(summarize(added_ms), 3),
        "provider_cpu_breakdown_us": breakdown,
    }
    goals = [Goal("provider / bare httpx, wall time", f"≤ {GOAL_RATIO:.2f}x", round(wall_ratio["median"], 3),
                  wall_ratio["median"] <= GOAL_RATIO)]  # fmt: skip
    figures = [
        ("provider / bare httpx, same bodies (wall, median of rounds)", _fmt(wall_ratio)),
        ("provider / bare httpx, minimal bodies (wall)", _fmt(minimal_ratio)),
        ("with check + diff / bare httpx (wall)", _fmt(engine_ratio)),
        ("client CPU, provider / bare", _fmt(cpu_ratio)),
        (
            "provider's own CPU per cycle, estimated from its parts (ms)",
            f"{breakdown['per_cycle_estimate'] / 1000:.2f} (renormalize {breakdown['renormalize']:.0f} µs x2, "
            f"request body {breakdown['request_body']:.0f} µs x2, "
            f"outputs {breakdown['outputs']:.0f} µs x3, parse answer {breakdown['parse_response']:.0f} µs x3)",
        ),
        (
            f"ms per cycle ({CALLS_PER_CYCLE} API calls): provider / bare same / bare minimal",
            f"{per_arm['provider']['ms_per_cycle']:.2f} / {per_arm['bare_httpx']['ms_per_cycle']:.2f} / "
            f"{per_arm['bare_httpx_minimal_bodies']['ms_per_cycle']:.2f}",
        ),
    ]
    return write_result(
        ctx, NAME, TITLE,
        params={"cycles_per_round": cycles, "rounds": rounds, "order": "rotating + reversed",
                "emulator": "subprocess, clock frozen"},
        results=results, goals=goals, figures=figures, started=started, load_before=load_before,
    )  # fmt: skip


def provider_bodies(
    policy: RetrainingPolicyProvider, checked: dict[str, Any], edited: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON bodies of the provider's create (POST) and update (PATCH), as its own HTTP client sent them."""
    sent: dict[str, Any] = {}

    def capture(request: httpx.Request) -> None:
        if request.method in {"POST", "PATCH"}:
            sent[request.method] = json.loads(request.content)

    http_client = policy.client()._http._client
    hooks = http_client.event_hooks
    http_client.event_hooks = {**hooks, "request": [*hooks.get("request", []), capture]}
    try:
        created = policy.create(checked)
        outs = policy.update(created.id, created.outs or {}, edited).outs or {}
        policy.delete(created.id, outs)
    finally:
        http_client.event_hooks = hooks
    return sent["POST"], sent["PATCH"]


def _fmt(stats: dict[str, float | int]) -> str:
    return f"{stats['median']:.3f}x ({stats['min']:.3f}-{stats['max']:.3f})"


def cpu_breakdown(
    policy: RetrainingPolicyProvider,
    news: dict[str, Any],
    checked: dict[str, Any],
    answer: dict[str, Any],
    repeat: int,
) -> dict[str, float]:
    """Microseconds per call of the provider's own work around one API call (no I/O), to explain the overhead.

    A cycle runs: create = renormalize the checked inputs + build body + parse answer + build outputs; read = parse
    + outputs; update = renormalize + body + parse + outputs; delete = none. (Validation itself is `check`'s job and
    runs once per operation before these, in the engine's order: see the "with check + diff" arm.)
    """
    desired = leaves(checked, POLICY_LEAVES)
    model = RetrainingPolicy.model_validate(answer)
    answer_bytes = json.dumps(answer).encode()
    parts: dict[str, Callable[[], object]] = {
        "renormalize": lambda: renormalize(checked),
        "request_body": lambda: RetrainingPolicyCreate.model_validate(nest(desired)).to_wire(),
        "parse_response": lambda: RetrainingPolicy.model_validate_json(answer_bytes),
        "outputs": lambda: policy._outputs(DEPLOYMENT, model, desired, adopt_existing=False, provenance="created"),
    }
    timings: dict[str, float] = {}
    for name, work in parts.items():
        work()
        began = time.perf_counter()
        for _ in range(repeat):
            work()
        timings[name] = round((time.perf_counter() - began) / repeat * 1e6, 1)
    timings["per_cycle_estimate"] = round(
        2 * timings["renormalize"] + 2 * timings["request_body"] + 3 * timings["parse_response"]
        + 3 * timings["outputs"], 1,
    )  # fmt: skip
    return timings
