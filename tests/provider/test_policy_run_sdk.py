"""The RetrainingPolicyRun SDK class in a real Pulumi program under mocks: type token, inputs, output attributes."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import pulumi_datarobot_retraining as retraining
from datarobot_retraining.resources import RetrainingPolicyRunProvider
from pulumi_datarobot_retraining.testing import serialized_provider


class RunMocks(pulumi.runtime.Mocks):
    """Answers a RetrainingPolicyRun registration with its inputs plus the run the provider would report."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        outputs = {**args.inputs, "run_id": "r-1", "status": "succeeded", "model_package_id": "mp-1"}
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> RunMocks:
    recording = RunMocks()
    pulumi.runtime.set_mocks(recording, project="project", stack="stack", preview=False)
    return recording


@pulumi.runtime.test
def test_run_registers_its_type_inputs_and_outputs(mocks: RunMocks) -> Any:
    run = retraining.RetrainingPolicyRun(
        "retrain-on-deploy",
        deployment_id="dep-1",
        policy_id=pulumi.Output.from_input("p-1"),
        triggers={"dataset_version": pulumi.Output.from_input("v7"), "files": ["a.csv"]},
        wait=True,
    )

    def check(values: list[Any]) -> None:
        run_id, status, model_package_id, triggers, error_message = values
        (registered,) = mocks.registered
        assert registered.typ == "pulumi-python:dynamic/datarobot:RetrainingPolicyRun"
        assert {k: v for k, v in registered.inputs.items() if k != "__provider"} == {
            "deployment_id": "dep-1",
            "policy_id": "p-1",
            "triggers": {"dataset_version": "v7", "files": ["a.csv"]},
            "wait": True,
        }
        assert registered.inputs["__provider"] == serialized_provider(RetrainingPolicyRunProvider())
        assert (run_id, status, model_package_id) == ("r-1", "succeeded", "mp-1")
        assert triggers == {"dataset_version": "v7", "files": ["a.csv"]} and error_message is None

    return pulumi.Output.all(run.run_id, run.status, run.model_package_id, run.triggers, run.error_message).apply(check)


@pulumi.runtime.test
def test_args_object_and_keywords_combine(mocks: RunMocks) -> Any:
    args = retraining.RetrainingPolicyRunArgs(deployment_id="dep-1", policy_id="p-1", wait_timeout_seconds=600)
    run = retraining.RetrainingPolicyRun("templated", args=args, triggers=["2024-06-01"])

    def check(_: Any) -> None:
        inputs = mocks.registered[0].inputs
        assert inputs["policy_id"] == "p-1" and inputs["wait_timeout_seconds"] == 600
        assert inputs["triggers"] == ["2024-06-01"] and "wait" not in inputs

    return run.urn.apply(check)


def test_deployment_and_policy_are_required_at_declaration(mocks: RunMocks) -> None:
    with pytest.raises(TypeError, match="needs policy_id"):
        retraining.RetrainingPolicyRun("no-policy", deployment_id="dep-1")
