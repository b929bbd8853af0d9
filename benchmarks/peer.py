"""Peer: policy create → get → patch → delete with the official `datarobot` client's REST session vs ours."""

from __future__ import annotations

import time
from importlib.metadata import version
from typing import Any

from datarobot.client import Client as OfficialClient
from datarobot.context import Context as DataRobotContext

from datarobot_emulator import seed
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingPolicyUpdate
from datarobot_retraining.resources import RetrainingSettingsProvider

from ._common import (
    NOTEBOOK_POLICY_WIRE,
    POLICY_EDIT_WIRE,
    Arm,
    Context,
    Goal,
    configured,
    interleave,
    loadavg,
    ratios,
    rounded,
    settings_props,
    summarize,
    write_result,
)

NAME = "peer"
TITLE = "Peer: official datarobot client vs ours (policy create → get → patch → delete)"
GOAL_RATIO = 1.0
DATAROBOT_VERSION = version("datarobot")
DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    cycles, rounds = (10, 2) if ctx.quick else (100, 8)
    emulator = ctx.emulator
    emulator.control.reset("demo")
    emulator.control.freeze_clock()
    settings: RetrainingSettingsProvider = configured(RetrainingSettingsProvider(), emulator)
    settings.create(settings.check({}, settings_props(DEPLOYMENT)).inputs)

    official = OfficialClient(endpoint=emulator.api_url, token=emulator.token)
    tracking_default = DataRobotContext.enable_api_consumer_tracking
    ours = DataRobotClient(emulator.api_url, emulator.token)
    relative = f"deployments/{DEPLOYMENT}/retrainingPolicies/"
    create_body = RetrainingPolicyCreate.model_validate(NOTEBOOK_POLICY_WIRE)
    edit_body = RetrainingPolicyUpdate.model_validate(POLICY_EDIT_WIRE)

    def official_cycles() -> None:
        # What a script using the official client does: the REST session with dict bodies, answers read as JSON.
        # Its default sends an analytics header built from `inspect.stack()` on every request (see the docs):
        # the baseline for the goal is the client at its fastest, with that tracking switched off.
        DataRobotContext.enable_api_consumer_tracking = tracking[0]
        for _ in range(cycles):
            policy_id = official.post(relative, json=NOTEBOOK_POLICY_WIRE).json()["id"]
            path = f"{relative}{policy_id}/"
            official.get(path).json()
            official.patch(path, json=POLICY_EDIT_WIRE).json()
            official.delete(path)

    def ours_cycles() -> None:
        # Typed: request bodies are models, answers are parsed and validated into models.
        for _ in range(cycles):
            policy = ours.retraining_policies.create(DEPLOYMENT, create_body)
            ours.retraining_policies.get(DEPLOYMENT, policy.id)
            ours.retraining_policies.update(DEPLOYMENT, policy.id, edit_body)
            ours.retraining_policies.delete(DEPLOYMENT, policy.id)

    def ours_raw_cycles() -> None:
        # Our escape hatch (same request loop, no models): dict bodies and JSON answers like the official one.
        for _ in range(cycles):
            policy_id = ours.request("POST", relative, json=NOTEBOOK_POLICY_WIRE).json()["id"]
            path = f"{relative}{policy_id}/"
            ours.request("GET", path).json()
            ours.request("PATCH", path, json=POLICY_EDIT_WIRE).json()
            ours.request("DELETE", path)

    tracking = [False]

    def official_default_cycles() -> None:
        tracking[0] = True
        try:
            official_cycles()
        finally:
            tracking[0] = False

    official_arm = Arm("official_no_tracking", official_cycles)
    default_arm = Arm("official_default", official_default_cycles)
    ours_arm = Arm("ours_typed", ours_cycles)
    raw_arm = Arm("ours_raw", ours_raw_cycles)
    arms = [ours_arm, official_arm, raw_arm, default_arm]
    requests_per_cycle: dict[str, float] = {}
    for arm in arms:  # untimed warm-up, and a check that every arm makes the same calls
        emulator.control.clear_requests()
        arm.run()
        requests_per_cycle[arm.name] = len(emulator.control.requests()) / cycles
    interleave(arms, rounds, between=emulator.control.clear_requests, server_cpu=emulator.cpu_seconds)
    ours.close()
    DataRobotContext.enable_api_consumer_tracking = tracking_default

    ratio = summarize(ratios(ours_arm.wall, official_arm.wall))
    raw_ratio = summarize(ratios(raw_arm.wall, official_arm.wall))
    default_ratio = summarize(ratios(ours_arm.wall, default_arm.wall))
    cpu_ratio = summarize(ratios(ours_arm.cpu, official_arm.cpu))
    per_arm = {
        arm.name: {
            "wall_s": rounded(summarize(arm.wall)),
            "ms_per_cycle": round(summarize(arm.wall)["median"] / cycles * 1000, 3),
            "client_cpu_ms_per_cycle": round(summarize(arm.cpu)["median"] / cycles * 1000, 3),
            "emulator_cpu_ms_per_cycle": round(summarize(arm.server_cpu)["median"] / cycles * 1000, 3),
            "requests_per_cycle": requests_per_cycle[arm.name],
        }
        for arm in arms
    }
    results = {
        "arms": per_arm,
        "ratio_ours_typed_vs_official": rounded(ratio),
        "ratio_ours_raw_vs_official": rounded(raw_ratio),
        "ratio_ours_typed_vs_official_default": rounded(default_ratio),
        "official_default_tracking": tracking_default,
        "client_cpu_ratio_ours_typed_vs_official": rounded(cpu_ratio),
        "datarobot_version": DATAROBOT_VERSION,
    }
    goals = [Goal("ours typed / official (tracking off), wall", f"≤ {GOAL_RATIO:.2f}x", round(ratio["median"], 3),
                  ratio["median"] <= GOAL_RATIO)]  # fmt: skip
    figures = [
        ("ours typed / official, tracking off (wall)", _fmt(ratio)),
        ("ours raw / official, tracking off (wall)", _fmt(raw_ratio)),
        ("ours typed / official as installed (tracking on)", _fmt(default_ratio)),
        ("client CPU, ours typed / official tracking off", _fmt(cpu_ratio)),
        (
            "ms per cycle: ours typed / ours raw / official off / on",
            " / ".join(
                f"{per_arm[a.name]['ms_per_cycle']:.2f}" for a in (ours_arm, raw_arm, official_arm, default_arm)
            ),
        ),
    ]
    return write_result(
        ctx, NAME, TITLE,
        params={"cycles_per_round": cycles, "rounds": rounds, "order": "rotating + reversed",
                "official": f"datarobot {DATAROBOT_VERSION} RESTClientObject (dr.Client)"},
        results=results, goals=goals, figures=figures, started=started, load_before=load_before,
    )  # fmt: skip


def _fmt(stats: dict[str, float | int]) -> str:
    return f"{stats['median']:.3f}x ({stats['min']:.3f}-{stats['max']:.3f})"
