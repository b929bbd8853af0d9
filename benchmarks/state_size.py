"""State cost: bytes of `__provider` and of a resource's whole outputs, as the engine gets them over gRPC."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from datarobot_emulator import seed
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from pulumi_datarobot_retraining.testing.provider_server import (
    PROVIDER_KEY,
    dynamic_type,
    make_urn,
    serialized_provider,
)

from ._common import PROJECT, Context, Goal, loadavg, notebook_policy, settings_props, write_result
from .api_calls import start_engine

NAME = "state_size"
TITLE = "State cost per resource"
GOAL_PROVIDER_BYTES = 200
DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID


def json_bytes(value: Any) -> int:
    """Size of a value as compact JSON (UTF-8); the engine's checkpoint adds indentation on top."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def run(ctx: Context) -> dict[str, Any]:
    started, load_before = time.perf_counter(), loadavg()
    emulator = ctx.emulator
    emulator.control.reset("demo")
    emulator.control.freeze_clock()
    providers = {
        "RetrainingSettings": serialized_provider(RetrainingSettingsProvider()),
        "RetrainingPolicy": serialized_provider(RetrainingPolicyProvider()),
    }
    props = {
        "RetrainingSettings": settings_props(DEPLOYMENT),
        "RetrainingPolicy": notebook_policy(DEPLOYMENT),
    }
    results: dict[str, Any] = {}
    with start_engine(emulator) as server:
        for resource, provider in providers.items():
            urn = make_urn(dynamic_type(resource), "state", project=PROJECT)
            checked = server.check(urn, {}, {**props[resource], PROVIDER_KEY: provider})
            _id, outputs = server.create(urn, checked.inputs)
            assert outputs[PROVIDER_KEY] == provider
            inputs_bytes = json_bytes(checked.inputs)
            outputs_bytes = json_bytes(outputs)
            results[resource] = {
                "provider_bytes": len(provider),
                "provider_pickle_bytes": len(base64.b64decode(provider)),
                "provider_is_secret": False,
                "outputs_bytes": outputs_bytes,
                "outputs_without_provider_bytes": json_bytes({k: v for k, v in outputs.items() if k != PROVIDER_KEY}),
                "inputs_bytes": inputs_bytes,
                # The checkpoint keeps both inputs and outputs of every resource (so `__provider` twice).
                "inputs_plus_outputs_bytes": inputs_bytes + outputs_bytes,
                "output_keys": len(outputs),
            }
    goals = [
        Goal(f"{resource} __provider bytes", f"≤ {GOAL_PROVIDER_BYTES}", entry["provider_bytes"],
             entry["provider_bytes"] <= GOAL_PROVIDER_BYTES)
        for resource, entry in results.items()
    ]  # fmt: skip
    figures = [
        (
            f"{resource}: __provider / outputs / inputs+outputs (bytes)",
            f"{entry['provider_bytes']} / {entry['outputs_bytes']} / {entry['inputs_plus_outputs_bytes']}",
        )
        for resource, entry in results.items()
    ]
    return write_result(
        ctx, NAME, TITLE,
        params={"measure": "compact JSON, UTF-8; __provider is the base64 text stored in state",
                "policy": "the notebook's drift-tracking policy", "settings": "dataset + retraining user"},
        results=results, goals=goals, figures=figures, started=started, load_before=load_before,
    )  # fmt: skip
