"""The provider against every plausible answer where DataRobot's public record is silent (the emulator's variants),
through the real `python -m pulumi.dynamic` server over a real socket, as the engine drives it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate
from datarobot_retraining.resources import (
    RetrainingPolicyProvider,
    RetrainingPolicyRunProvider,
    RetrainingSettingsProvider,
)
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider
from tests.provider.helpers import DEPLOYMENT, notebook_policy

POLICY = (make_urn(dynamic_type("RetrainingPolicy"), "policy"), serialized_provider(RetrainingPolicyProvider()))
SETTINGS = (make_urn(dynamic_type("RetrainingSettings"), "settings"), serialized_provider(RetrainingSettingsProvider()))
RUN = (make_urn(dynamic_type("RetrainingPolicyRun"), "run"), serialized_provider(RetrainingPolicyRunProvider()))
#: The bound on a delete's wait for a run (runWaitTimeoutSeconds), short so an unknown status ends the test soon.
RUN_WAIT = 2.0


@pytest.fixture(scope="module")
def server(emulator_server: EmulatorServer) -> Iterator[ProviderServer]:
    with ProviderServer(project="retraining-variants") as process:
        process.configure(
            {
                "datarobot:endpoint": emulator_server.api_url,
                "datarobot:apikey": emulator_server.token,
                "datarobot-retraining:runWaitTimeoutSeconds": str(RUN_WAIT),
            }
        )
        yield process


class Resource:
    """One resource of a stack, driven through the provider process: up, up again, refresh, destroy."""

    def __init__(self, server: ProviderServer, kind: tuple[str, str]) -> None:
        self.server, (self.urn, self.provider) = server, kind
        self.id = ""
        self.outs: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}

    def up(self, props: dict[str, Any]) -> dict[str, Any]:
        checked = self.server.check(self.urn, self.inputs, {**props, "__provider": self.provider})
        assert checked.failures == []
        if not self.id:
            self.id, self.outs = self.server.create(self.urn, checked.inputs)
        elif self.server.diff(self.urn, self.id, self.outs, checked.inputs).changes:
            self.outs = self.server.update(self.urn, self.id, self.outs, checked.inputs)
        self.inputs = checked.inputs
        return self.outs

    def changes(self, props: dict[str, Any]) -> bool:
        checked = self.server.check(self.urn, self.inputs, {**props, "__provider": self.provider})
        return bool(self.server.diff(self.urn, self.id, self.outs, checked.inputs).changes)

    def refresh(self) -> dict[str, Any]:
        read = self.server.read(self.urn, self.id, self.outs, self.inputs)
        self.outs, self.inputs = read.outputs, {**(read.inputs or {}), "__provider": self.provider}
        return self.outs

    def destroy(self) -> None:
        self.server.delete(self.urn, self.id, self.outs)


@pytest.fixture
def with_dataset(client: DataRobotClient) -> None:
    """The demo deployment with a retraining dataset (what a run trains on)."""
    client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID))


def refused(call: Any, *args: Any) -> str:
    with pytest.raises(grpc.RpcError) as failure:
        call(*args)
    return str(failure.value.details())  # type: ignore[attr-defined]


@pytest.mark.parametrize("answer", ["absent", "echoed"])
def test_credential_id_stays_what_was_written_whether_or_not_it_is_read_back(
    server: ProviderServer, emulator: EmulatorServer, answer: str
) -> None:
    emulator.control.set_variants(settingsCredential=answer)
    settings = Resource(server, SETTINGS)
    props = {"deployment_id": DEPLOYMENT, "dataset_id": seed.DEMO_DATASET_ID, "credential_id": seed.DEMO_CREDENTIAL_ID}
    assert settings.up(props)["credential_id"] == seed.DEMO_CREDENTIAL_ID
    assert settings.changes(props) is False
    assert settings.refresh()["credential_id"] == seed.DEMO_CREDENTIAL_ID
    assert settings.inputs["credential_id"] == seed.DEMO_CREDENTIAL_ID
    assert settings.changes(props) is False


@pytest.mark.parametrize(("spelling", "succeeded"), [("lowercase", "succeeded"), ("alternate", "COMPLETED")])
@pytest.mark.usefixtures("with_dataset")
def test_runs_end_and_fail_as_they_do_whatever_the_status_spelling(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, spelling: str, succeeded: str
) -> None:
    emulator.control.set_variants(runStatuses=spelling)
    policy = client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="Run on deploy"))
    run = Resource(server, RUN)
    props = {"deployment_id": DEPLOYMENT, "policy_id": policy.id, "triggers": {"v": 1}, "wait": True}
    outs = run.up(props)
    assert outs["status"] == succeeded  # shown as the server spells it
    emulator.control.fail_next_runs(1, "Autopilot ran out of memory.")
    text = refused(run.up, {**props, "triggers": {"v": 2}})
    assert "failed: Autopilot ran out of memory." in text
    emulator.control.clear_requests()
    run.destroy()  # the run it recorded has ended: nothing to cancel, not one request
    assert emulator.control.requests() == []


@pytest.mark.usefixtures("with_dataset")
def test_an_unrecognised_status_keeps_every_wait_bounded_and_is_shown_as_sent(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    emulator.control.set_variants(runStatuses="opaque")
    policy = Resource(server, POLICY)
    policy_id = policy.up(notebook_policy(trigger=None, action="create_model_package"))["policy_id"]
    run = Resource(server, RUN)
    started = time.monotonic()
    text = refused(
        run.up,
        {"deployment_id": DEPLOYMENT, "policy_id": policy_id, "wait": True, "wait_timeout_seconds": 1},
    )
    assert 1 <= time.monotonic() - started < 10, text
    # The run ended (stage-3) but no client can know that word: the wait stops at its bound and says what it saw.
    assert "Gave up waiting for retraining run" in text and "still stage-" in text
    # The server deletes a policy whose run ended at once. One that answers 409 all the same (a run in progress, it
    # says) makes the delete wait for that run, whose status it cannot read: no longer than runWaitTimeoutSeconds.
    emulator.control.inject_fault("DELETE", "deployments/*/retrainingPolicies/*", status=409, count=100)
    started = time.monotonic()
    text = refused(policy.destroy)
    assert RUN_WAIT <= time.monotonic() - started < RUN_WAIT + 10
    assert "Gave up deleting retraining policy" in text and "is still stage-3" in text


@pytest.mark.parametrize("steps", ["hidden", "shown"])
@pytest.mark.usefixtures("with_dataset")
def test_a_run_is_followed_with_or_without_steps(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, steps: str
) -> None:
    emulator.control.set_variants(runSteps=steps)
    policy = client.retraining_policies.create(
        DEPLOYMENT, RetrainingPolicyCreate(name="Run on deploy", use_case_id=seed.DEMO_USE_CASE_ID)
    )
    outs = Resource(server, RUN).up({"deployment_id": DEPLOYMENT, "policy_id": policy.id, "wait": True})
    assert outs["status"] == "succeeded" and outs["model_package_id"]
    assert outs["use_case_id"] == seed.DEMO_USE_CASE_ID


@pytest.mark.parametrize(("answer", "echoed"), [("resolved", "seasonal"), ("asSent", "auto")])
def test_auto_differencing_with_periodicities_is_no_diff_whatever_the_server_answers(
    server: ProviderServer, emulator: EmulatorServer, answer: str, echoed: str
) -> None:
    emulator.control.set_variants(differencing=answer)
    props = notebook_policy(
        trigger=None,
        action="create_model_package",
        time_series_options={"differencing_method": "auto", "periodicities": [{"time_steps": 7, "time_unit": "DAY"}]},
    )
    policy = Resource(server, POLICY)
    assert policy.up(props)["time_series_options"]["differencing_method"] == echoed
    assert policy.changes(props) is False
    assert policy.refresh()["time_series_options"]["differencing_method"] == echoed
    assert policy.changes(props) is False
    # A real change still shows.
    simple = {**props, "time_series_options": {**props["time_series_options"], "differencing_method": "simple"}}
    assert policy.changes(simple) is True


@pytest.mark.parametrize("answer", ["null", "filled"])
def test_partly_set_nested_objects_never_diff_and_a_removed_leaf_returns_cleanly(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, answer: str
) -> None:
    emulator.control.set_variants(nestedKeys=answer)
    client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(retraining_user_id=seed.DEMO_USER_ID))
    props = notebook_policy(project_options={"metric": "AUC", "holdout_pct": 10})
    policy = Resource(server, POLICY)
    outs = policy.up(props)
    # What the server filled in (a null output leaves the engine's struct as an absent key).
    assert outs["project_options"].get("reps") == (5 if answer == "filled" else None)
    assert policy.changes(props) is False
    policy.refresh()
    assert policy.changes(props) is False
    # The program stops setting holdout_pct: one update, then quiet again (also after a refresh).
    fewer = notebook_policy(project_options={"metric": "AUC"})
    assert policy.changes(fewer) is True
    policy.up(fewer)
    assert policy.changes(fewer) is False
    policy.refresh()
    assert policy.changes(fewer) is False


@pytest.mark.parametrize("status", ["422", "400", "403", "409"])
def test_the_five_policy_refusal_is_explained_whatever_its_status(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, status: str
) -> None:
    emulator.control.set_variants(policyLimitStatus=status)
    for index in range(5):
        client.retraining_policies.create(
            DEPLOYMENT, RetrainingPolicyCreate(name=f"policy {index}", action="create_model_package")
        )
    text = refused(Resource(server, POLICY).up, notebook_policy(name="sixth", trigger=None))
    assert "already has 5 retraining policies, the most DataRobot allows" in text and "'policy 4'" in text


@pytest.mark.parametrize("needs_dataset", ["false", "true"])
def test_a_program_without_settings_works_where_it_can_and_is_told_what_to_add_where_not(
    server: ProviderServer, emulator: EmulatorServer, client: DataRobotClient, needs_dataset: str
) -> None:
    # A program ported from pulumi_datarobot or DataRobot's templates: a triggered policy, no settings declared.
    emulator.control.set_variants(policyNeedsDataset=needs_dataset)
    policy = Resource(server, POLICY)
    if needs_dataset == "true":
        text = refused(policy.up, notebook_policy())
        assert "no retraining dataset" in text and "RetrainingSettings" in text and "depends_on" in text
        return
    assert policy.up(notebook_policy())["trigger"]["type"] == "data_drift_decline"
    user = client.retraining_settings.get(DEPLOYMENT).retraining_user
    assert user is not None and user.id == seed.DEMO_USER_ID  # the token's user, as the Terraform provider does
