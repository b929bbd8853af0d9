"""The SDK in a real Pulumi program under mocks: the type tokens, inputs and outputs each resource registers."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import pulumi_datarobot_retraining as retraining
from datarobot_retraining.resources import RetrainingPolicyProvider
from pulumi_datarobot_retraining.testing import serialized_provider


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers each registration with its inputs plus a few outputs, and remembers what was registered."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        outputs = dict(args.inputs)
        if args.typ.endswith(":RetrainingPolicy"):
            outputs.update(
                policy_id="p-1",
                latest_run={"id": "r-1", "status": "succeeded"},
                next_scheduled_runs=["2026-11-23T00:00:00Z"],
            )
        return (args.resource_id or f"{args.name}-id"), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, project="project", stack="stack", preview=False)
    return recording


def by_name(mocks: RecordingMocks, name: str) -> pulumi.runtime.MockResourceArgs:
    return next(r for r in mocks.registered if r.name == name)


@pulumi.runtime.test
def test_policy_registers_its_type_and_snake_case_inputs(mocks: RecordingMocks) -> Any:
    deployment_id = pulumi.Output.from_input("dep-1")
    policy = retraining.RetrainingPolicy(
        "drift-policy",
        deployment_id=deployment_id,
        action=retraining.Action.CREATE_CHALLENGER,
        trigger=retraining.TriggerArgs(
            type="data_drift_decline",
            schedule=retraining.ScheduleArgs(minute=[0], hour=[pulumi.Output.from_input(0)]),
            status_declines_to_warning=True,
        ),
        autopilot_options={"mode": retraining.AutopilotMode.AUTO, "run_leakage_removed_feature_list": True},
        project_options=retraining.ProjectOptionsArgs(metric="Accuracy"),
        time_series_options=retraining.TimeSeriesOptionsArgs(
            periodicities=[retraining.PeriodicityArgs(time_steps=7, time_unit=retraining.TimeUnit.DAY)]
        ),
    )

    def check(values: list[Any]) -> None:
        policy_id, latest_run, name = values
        registered = by_name(mocks, "drift-policy")
        assert registered.typ == "pulumi-python:dynamic/datarobot:RetrainingPolicy"
        inputs = registered.inputs
        assert inputs["deployment_id"] == "dep-1"
        assert inputs["name"] == "drift-policy"  # defaults to the resource name
        assert inputs["action"] == "create_challenger"
        assert inputs["trigger"] == {
            "type": "data_drift_decline",
            "schedule": {"minute": [0], "hour": [0]},
            "status_declines_to_warning": True,
        }
        assert inputs["autopilot_options"] == {"mode": "auto", "run_leakage_removed_feature_list": True}
        assert inputs["project_options"] == {"metric": "Accuracy"}
        assert inputs["time_series_options"] == {"periodicities": [{"time_steps": 7, "time_unit": "DAY"}]}
        assert "description" not in inputs and "use_case_id" not in inputs  # unset means not sent
        assert inputs["__provider"] == serialized_provider(RetrainingPolicyProvider())
        assert policy_id == "p-1" and latest_run == {"id": "r-1", "status": "succeeded"} and name == "drift-policy"

    return pulumi.Output.all(policy.policy_id, policy.latest_run, policy.name).apply(check)


@pulumi.runtime.test
def test_args_object_and_keywords_combine_with_keywords_winning(mocks: RecordingMocks) -> Any:
    template = retraining.RetrainingPolicyArgs(
        deployment_id="dep-1", name="from template", action="create_model_package", description="shared"
    )
    policy = retraining.RetrainingPolicy("templated", args=template, action="model_replacement")

    def check(_: Any) -> None:
        inputs = by_name(mocks, "templated").inputs
        assert inputs["name"] == "from template" and inputs["description"] == "shared"
        assert inputs["action"] == "model_replacement"

    return policy.urn.apply(check)


@pulumi.runtime.test
def test_settings_register_their_type_and_inputs(mocks: RecordingMocks) -> Any:
    settings = retraining.RetrainingSettings(
        "churn-retraining", deployment_id="dep-1", dataset_id="ds-1", retraining_user_id="u-1", credential_id=None
    )

    def check(values: list[Any]) -> None:
        deployment_id, dataset_id = values
        registered = by_name(mocks, "churn-retraining")
        assert registered.typ == "pulumi-python:dynamic/datarobot:RetrainingSettings"
        assert {k: v for k, v in registered.inputs.items() if k != "__provider"} == {
            "deployment_id": "dep-1",
            "dataset_id": "ds-1",
            "retraining_user_id": "u-1",
        }
        assert deployment_id == "dep-1" and dataset_id == "ds-1"

    return pulumi.Output.all(settings.deployment_id, settings.dataset_id).apply(check)


@pulumi.runtime.test
def test_get_reads_an_existing_policy_by_id(mocks: RecordingMocks) -> Any:
    existing = retraining.RetrainingPolicy.get("existing", "p-42", deployment_id="dep-1")

    def check(values: list[Any]) -> None:
        id_, deployment_id = values
        registered = by_name(mocks, "existing")
        assert registered.resource_id == "p-42"
        assert registered.inputs["deployment_id"] == "dep-1"
        assert id_ == "p-42" and deployment_id == "dep-1"

    return pulumi.Output.all(existing.id, existing.deployment_id).apply(check)


def test_a_missing_deployment_is_a_type_error_at_declaration(mocks: RecordingMocks) -> None:
    with pytest.raises(TypeError, match="needs deployment_id"):
        retraining.RetrainingPolicy("no-deployment", name="x")
