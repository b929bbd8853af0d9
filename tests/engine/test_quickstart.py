"""The quickstart under the real engine, as a user runs it from the repository root with the root Pulumi.yaml."""

from __future__ import annotations

from pathlib import Path

from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from tests.engine.conftest import StackFactory
from tests.examples.conftest import writes


def test_quickstart_up_preview_refresh_destroy(
    checkout: Path, engine_stack: StackFactory, emulator: EmulatorServer
) -> None:
    # The root layout as committed: the provider shim must find `.venv` (it resolves the option against the
    # program's main folder, so this fails when Pulumi.yaml points `main` into examples/).
    stack = engine_stack(checkout)
    up = stack.up()
    assert up.changes == {"create": 5}, up.output
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        names = {p.name for p in client.retraining_policies.list(DEMO_DEPLOYMENT_ID)}
        assert names == {"MultiClass Drift Tracking Policy", "Weekly model package", "Replace on accuracy failure"}
        outputs = stack.outputs()
        assert outputs["retraining_dataset"] == "churn_training.csv"
        assert set(outputs["policy_ids"]) == {"drift", "weekly", "accuracy"}

        emulator.control.clear_requests()
        preview = stack.preview(expect_no_changes=True)
        assert preview.changes == {"same": 5}, preview.output
        assert stack.up().changes == {"same": 5}
        assert writes(emulator) == []  # a no-op `up` writes nothing

        refreshed = stack.refresh()
        assert refreshed.changes == {"same": 5}, refreshed.output
        assert stack.preview(expect_no_changes=True).changes == {"same": 5}

        destroyed = stack.destroy()
        assert destroyed.changes == {"delete": 5}, destroyed.output
        assert list(client.retraining_policies.list(DEMO_DEPLOYMENT_ID)) == []
