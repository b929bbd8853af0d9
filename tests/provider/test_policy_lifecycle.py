"""RetrainingPolicyProvider against the live emulator: diff, create, adoption, refusals, read, update, delete."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.output import Unknown

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingPolicyUpdate
from datarobot_retraining.resources import (
    ResourceOperationError,
    RetrainingPolicyProvider,
    RetrainingSettingsProvider,
)
from pulumi_datarobot_retraining import ScheduleArgs
from pulumi_datarobot_retraining._utilities import to_props
from tests.provider.conftest import configure
from tests.provider.helpers import DEPLOYMENT, notebook_policy


def create(provider: RetrainingPolicyProvider, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    checked = provider.check({}, props)
    assert checked.failures == []
    result = provider.create(checked.inputs)
    assert result.outs is not None
    return result.id, result.outs


def writes(emulator: EmulatorServer) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in emulator.control.requests() if r["method"] != "GET"]


# -- create ------------------------------------------------------------------------------------------------------


def test_create_is_one_post_and_outputs_come_from_the_server(
    policy_provider: RetrainingPolicyProvider,
    emulator: EmulatorServer,
    client: DataRobotClient,
    with_settings: dict[str, Any],
) -> None:
    emulator.control.clear_requests()
    policy_id, outs = create(policy_provider, notebook_policy())
    # The list that makes sure no policy holds the name yet, then the one POST.
    assert [(r["method"], r["status"]) for r in emulator.control.requests()] == [("GET", 200), ("POST", 200)]

    server = client.retraining_policies.get(DEPLOYMENT, policy_id)
    assert server.name == "MultiClass Drift Tracking Policy"
    assert outs["policy_id"] == policy_id and outs["deployment_id"] == DEPLOYMENT
    # Server-filled values are in the outputs, exactly as the server holds them: nested keys not sent come back null.
    assert outs["autopilot_options"]["blend_best_models"] is None
    assert outs["project_options"]["holdout_pct"] is None and server.project_options.holdout_pct is None
    assert outs["time_series_options"]["differencing_method"] is None
    assert outs["trigger"]["schedule"]["day_of_week"] == ["*"]
    assert outs["latest_run"] is None
    assert outs["next_scheduled_runs"] == []  # a decline trigger's schedule is not a "schedule trigger"
    assert "trigger.schedule" in outs["managed_fields"]
    assert "project_options.holdout_pct" not in outs["managed_fields"]


@pytest.mark.usefixtures("with_settings")
def test_no_diff_after_create_even_though_the_server_filled_defaults(
    policy_provider: RetrainingPolicyProvider,
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())
    news = policy_provider.check({}, notebook_policy()).inputs
    diff = policy_provider.diff(policy_id, outs, news)
    assert diff.changes is False and diff.replaces == []
    # The same inputs as the engine delivers them again: every number a float.
    floats = notebook_policy(
        trigger={
            "type": "data_drift_decline",
            "schedule": {"minute": [0.0], "hour": [0.0]},
            "status_declines_to_warning": True,
        }
    )
    assert policy_provider.diff(policy_id, outs, floats).changes is False


@pytest.mark.usefixtures("with_settings")
def test_schedule_trigger_exports_the_next_three_runs(policy_provider: RetrainingPolicyProvider) -> None:
    props = notebook_policy(
        name="weekly",
        action="create_model_package",
        trigger={"type": "schedule", "schedule": {"minute": [30], "hour": [6], "day_of_week": ["mon"]}},
    )
    _, outs = create(policy_provider, props)
    runs = outs["next_scheduled_runs"]
    assert len(runs) == 3
    assert all(r.endswith("T06:30:00Z") for r in runs)


def test_a_policy_with_a_trigger_gets_the_token_user_as_retraining_user_as_terraform_does(
    policy_provider: RetrainingPolicyProvider,
    emulator: EmulatorServer,
    client: DataRobotClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # No retraining settings at all, as DataRobot's own templates declare their policies.
    emulator.control.clear_requests()
    create(policy_provider, notebook_policy())
    # Refused for want of a retraining user: the provider sets the token's user, then sends the create again.
    assert [(r["method"], r["path"].split("/api/v2/")[1], r["status"]) for r in emulator.control.requests()] == [
        ("GET", f"deployments/{DEPLOYMENT}/retrainingPolicies/", 200),
        ("POST", f"deployments/{DEPLOYMENT}/retrainingPolicies/", 422),
        ("GET", f"deployments/{DEPLOYMENT}/retrainingSettings/", 200),
        ("GET", "account/info/", 200),
        ("PATCH", f"deployments/{DEPLOYMENT}/retrainingSettings/", 204),
        ("POST", f"deployments/{DEPLOYMENT}/retrainingPolicies/", 200),
    ]
    settings = client.retraining_settings.get(DEPLOYMENT)
    assert settings.retraining_user is not None and settings.retraining_user.id == seed.DEMO_USER_ID
    assert settings.dataset is None  # a policy needs no dataset at create
    line = capsys.readouterr().err
    assert f"Set the retraining user of deployment {DEPLOYMENT} to demo.user@example.com ({seed.DEMO_USER_ID})" in line
    assert "datarobot-retraining:setRetrainingUser" in line
    # A user already set is never replaced, and a manual-only policy needs none.
    emulator.control.clear_requests()
    create(policy_provider, notebook_policy(name="second"))
    create(policy_provider, notebook_policy(name="manual", trigger=None))
    assert writes(emulator) == [("POST", f"/api/v2/deployments/{DEPLOYMENT}/retrainingPolicies/")] * 2
    assert "Set the retraining user" not in capsys.readouterr().err


def test_an_update_that_adds_a_trigger_gets_the_retraining_user_too(
    policy_provider: RetrainingPolicyProvider, client: DataRobotClient, capsys: pytest.CaptureFixture[str]
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy(trigger=None))
    assert client.retraining_settings.get(DEPLOYMENT).retraining_user is None  # manual only: nothing to set
    triggered = policy_provider.check({}, notebook_policy()).inputs
    new = policy_provider.update(policy_id, outs, triggered).outs or {}
    assert new["trigger"]["type"] == "data_drift_decline"
    settings = client.retraining_settings.get(DEPLOYMENT)
    assert settings.retraining_user is not None and settings.retraining_user.id == seed.DEMO_USER_ID
    assert "Set the retraining user" in capsys.readouterr().err


def test_with_set_retraining_user_off_the_refusal_says_what_to_set(emulator: EmulatorServer) -> None:
    provider = configure(RetrainingPolicyProvider(), emulator, {"datarobot-retraining:setRetrainingUser": "false"})
    emulator.control.clear_requests()
    with pytest.raises(ResourceOperationError, match="needs a retraining user; set retraining_user_id"):
        create(provider, notebook_policy())
    assert ("GET", "account/info") not in [
        (r["method"], r["path"].strip("/").split("/v2/")[1]) for r in emulator.control.requests()
    ]
    # A manual-only policy does not need one.
    _, outs = create(provider, notebook_policy(name="manual", trigger=None))
    assert outs["trigger"]["type"] is None


def test_a_server_that_wants_the_dataset_first_gets_a_lead_to_it(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer
) -> None:
    emulator.control.set_variants(policyNeedsDataset="true")
    with pytest.raises(ResourceOperationError) as caught:
        create(policy_provider, notebook_policy())
    text = str(caught.value)
    assert f"on deployment {DEPLOYMENT}" in text and "DataRobot answered 422" in text
    assert "no retraining dataset" in text and "RetrainingSettings" in text and "depends_on" in text


def test_refusal_when_challengers_are_disabled(
    policy_provider: RetrainingPolicyProvider, settings_provider: RetrainingSettingsProvider
) -> None:
    deployment = seed.NO_CHALLENGERS_DEPLOYMENT_ID
    checked = settings_provider.check(
        {},
        {
            "deployment_id": deployment,
            "dataset_id": seed.DEMO_DATASET_ID,
            "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
        },
    )
    settings_provider.create(checked.inputs)
    with pytest.raises(ResourceOperationError) as caught:
        create(policy_provider, notebook_policy(deployment_id=deployment))
    assert "challenger models enabled" in str(caught.value)
    assert "create_model_package" in str(caught.value)


@pytest.mark.usefixtures("with_settings")
@pytest.mark.parametrize("status", ["422", "400", "403", "409"])
def test_sixth_policy_refusal_names_the_existing_five(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, status: str
) -> None:
    # The refusal's status is not public: the sentence must not depend on it.
    emulator.control.set_variants(policyLimitStatus=status)
    for index in range(5):
        create(policy_provider, notebook_policy(name=f"policy {index}"))
    with pytest.raises(ResourceOperationError) as caught:
        create(policy_provider, notebook_policy(name="sixth"))
    text = str(caught.value)
    assert "already has 5 retraining policies" in text
    assert all(f"'policy {i}'" in text for i in range(5))
    assert "adopt_existing=True" in text


def test_unknown_deployment_on_create(policy_provider: RetrainingPolicyProvider) -> None:
    with pytest.raises(ResourceOperationError, match=r"deployment 0{24} was not found"):
        create(policy_provider, notebook_policy(deployment_id="0" * 24))


# -- adoption ------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_settings")
def test_adopt_existing_patches_the_hand_made_policy_instead_of_duplicating_it(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    made_by_hand = client.retraining_policies.create(
        DEPLOYMENT,
        RetrainingPolicyCreate(name="MultiClass Drift Tracking Policy", action="create_model_package"),
    )
    emulator.control.clear_requests()
    policy_id, outs = create(policy_provider, notebook_policy(adopt_existing=True))
    assert policy_id == made_by_hand.id
    assert writes(emulator) == [("PATCH", f"/api/v2/deployments/{DEPLOYMENT}/retrainingPolicies/{policy_id}/")]
    assert outs["action"] == "create_challenger" and outs["adopt_existing"] is True
    assert len(list(client.retraining_policies.list(DEPLOYMENT))) == 1


@pytest.mark.usefixtures("with_settings")
def test_adopt_existing_creates_when_there_is_nothing_to_adopt(
    policy_provider: RetrainingPolicyProvider,
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy(adopt_existing=True))
    assert outs["policy_id"] == policy_id


@pytest.mark.usefixtures("with_settings")
def test_adopt_existing_refuses_to_guess_between_two_namesakes(
    policy_provider: RetrainingPolicyProvider, client: DataRobotClient
) -> None:
    for _ in range(2):
        client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="twin"))
    with pytest.raises(ResourceOperationError, match="2 policies have that name"):
        create(policy_provider, notebook_policy(name="twin", adopt_existing=True))


@pytest.mark.usefixtures("with_settings")
def test_create_without_adopt_existing_refuses_namesakes_and_sends_nothing(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    twins = [client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="twin")).id for _ in range(2)]
    emulator.control.clear_requests()
    with pytest.raises(ResourceOperationError) as caught:
        create(policy_provider, notebook_policy(name="twin"))
    assert str(caught.value) == (
        f"Cannot create retraining policy 'twin' on deployment {DEPLOYMENT}: 2 policies with that name already exist "
        f"({', '.join(twins)}) and this stack did not create them; delete or rename all but one and set "
        "adopt_existing=True to take it over, or give this policy another name."
    )
    assert writes(emulator) == []


# -- lost answers ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_settings")
def test_create_whose_answer_is_lost_after_commit_adopts_it_without_a_duplicate(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    emulator.control.inject_fault("POST", "deployments/*/retrainingPolicies", drop_after_commit=True)
    policy_id, _ = create(policy_provider, notebook_policy())
    policies = list(client.retraining_policies.list(DEPLOYMENT))
    assert [p.id for p in policies] == [policy_id]
    assert sum(1 for r in emulator.control.requests() if r["method"] == "POST") == 1


@pytest.mark.usefixtures("with_settings")
def test_create_refused_by_a_gateway_before_commit_is_sent_again_once_confirmed_absent(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    emulator.control.inject_fault("POST", "deployments/*/retrainingPolicies", status=502)
    policy_id, _ = create(policy_provider, notebook_policy())
    assert [p.id for p in client.retraining_policies.list(DEPLOYMENT)] == [policy_id]


@pytest.mark.usefixtures("with_settings")
def test_create_that_keeps_losing_answers_fails_with_a_clear_sentence(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    emulator.control.inject_fault("POST", "deployments/*/retrainingPolicies", status=504, count=10)
    with pytest.raises(ResourceOperationError, match="Could not create retraining policy 'MultiClass"):
        create(policy_provider, notebook_policy())
    assert list(client.retraining_policies.list(DEPLOYMENT)) == []


# -- diff ----------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_settings")
def test_diff_reports_changes_removals_and_replacement(policy_provider: RetrainingPolicyProvider) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())

    changed = notebook_policy(autopilot_options={"mode": "quick", "run_leakage_removed_feature_list": True})
    assert policy_provider.diff(policy_id, outs, changed).changes is True

    removed = notebook_policy()
    del removed["project_options"]
    diff = policy_provider.diff(policy_id, outs, removed)
    assert diff.changes is True and diff.replaces == []

    moved = notebook_policy(deployment_id=seed.DEMO_DEPLOYMENT_2_ID)
    diff = policy_provider.diff(policy_id, outs, moved)
    assert diff.changes is True and diff.replaces == ["deployment_id"]

    same_schedule_other_spelling = notebook_policy(
        trigger={
            "type": "data_drift_decline",
            "schedule": {"minute": ["0"], "hour": [0], "month": ["*"]},
            "status_declines_to_warning": True,
        }
    )
    assert policy_provider.diff(policy_id, outs, same_schedule_other_spelling).changes is False


@pytest.mark.usefixtures("with_settings")
def test_diff_with_unknowns_in_preview(policy_provider: RetrainingPolicyProvider) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())
    diff = policy_provider.diff(policy_id, outs, notebook_policy(deployment_id=Unknown()))
    assert diff.changes is True and diff.replaces == ["deployment_id"]
    diff = policy_provider.diff(policy_id, outs, notebook_policy(description=Unknown()))
    assert diff.changes is True and diff.replaces == []


@pytest.mark.usefixtures("with_settings")
def test_removing_a_field_that_already_holds_the_default_is_not_a_change(
    policy_provider: RetrainingPolicyProvider,
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy(action="create_challenger"))
    news = notebook_policy()
    del news["action"]
    assert policy_provider.diff(policy_id, outs, news).changes is False
    # A nested leaf goes back to null; removing one that the server already holds as null is no change either.
    policy_id, outs = create(
        policy_provider, notebook_policy(name="nulls", project_options={"holdout_pct": None, "metric": "Accuracy"})
    )
    news = notebook_policy(name="nulls", project_options={"metric": "Accuracy"})
    assert policy_provider.diff(policy_id, outs, news).changes is False


# -- update ----------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_settings")
def test_update_is_one_patch_with_explicit_resets_and_outputs_from_the_answer(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer, client: DataRobotClient
) -> None:
    policy_id, outs = create(
        policy_provider,
        notebook_policy(
            description="nightly",
            project_options={"cv_method": "StratifiedCV", "holdout_pct": 10, "reps": 3, "metric": "AUC"},
        ),
    )
    edited = notebook_policy(
        autopilot_options={"mode": "comprehensive"},
        trigger={"type": "accuracy_decline", "status_declines_to_failing": True},
    )  # schedule and warning flag dropped from the trigger
    del edited["project_options"]  # and description (never in notebook_policy) dropped too
    emulator.control.clear_requests()
    result = policy_provider.update(policy_id, outs, policy_provider.check({}, edited).inputs)
    assert len(writes(emulator)) == 1 and emulator.control.requests()[0]["method"] == "PATCH"
    new = result.outs or {}
    server = client.retraining_policies.get(DEPLOYMENT, policy_id)
    assert server.description is None and new["description"] is None
    # Removed nested leaves go back to null: what a key left out of a nested object sent comes back as.
    assert server.project_options.cv_method is None and server.project_options.holdout_pct is None
    assert server.project_options.reps is None and server.project_options.metric is None
    assert server.trigger.type == "accuracy_decline" and server.trigger.schedule is None
    assert server.trigger.status_declines_to_warning is None and server.trigger.status_declines_to_failing
    # Fields still set but not changed keep their values; a merge on the server did not resurrect anything.
    assert server.autopilot_options.mode == "comprehensive"
    assert server.feature_list_strategy == "informative_features"
    assert server.autopilot_options.run_leakage_removed_feature_list is None  # no longer set: back to null
    assert new["trigger"]["type"] == "accuracy_decline"
    assert "description" not in new["managed_fields"]
    assert policy_provider.diff(policy_id, new, edited).changes is False


# -- read --------------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_settings")
def test_read_detects_drift_in_nested_fields_and_returns_refreshed_inputs(
    policy_provider: RetrainingPolicyProvider, client: DataRobotClient
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())
    client.retraining_policies.update(
        DEPLOYMENT,
        policy_id,
        RetrainingPolicyUpdate.model_validate(
            {
                "trigger": {
                    "schedule": {
                        "minute": [0],
                        "hour": [3],
                        "day_of_month": ["*"],
                        "month": ["*"],
                        "day_of_week": ["*"],
                    }
                },
                "autopilot_options": {"blend_best_models": True},
            }
        ),
    )
    read = policy_provider.read(policy_id, outs)
    assert read.id == policy_id
    refreshed = read.outs or {}
    assert refreshed["trigger"]["schedule"]["hour"] == [3]
    assert refreshed["autopilot_options"]["blend_best_models"] is True
    inputs = read.inputs or {}
    assert inputs["deployment_id"] == DEPLOYMENT
    assert inputs["trigger"]["schedule"]["hour"] == [3]
    # blend_best_models is the server's business (the program never set it): not part of the desired state.
    assert "blend_best_models" not in inputs.get("autopilot_options", {})
    # The program still wants 00:00: the next diff shows the drift and the update puts it back.
    diff = policy_provider.diff(policy_id, refreshed, notebook_policy())
    assert diff.changes is True
    policy_provider.update(policy_id, refreshed, policy_provider.check({}, notebook_policy()).inputs)
    assert client.retraining_policies.get(DEPLOYMENT, policy_id).trigger.schedule.hour == [0]


@pytest.mark.usefixtures("with_settings")
def test_read_of_a_policy_deleted_out_of_band_says_gone(
    policy_provider: RetrainingPolicyProvider, client: DataRobotClient
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())
    client.retraining_policies.delete(DEPLOYMENT, policy_id)
    read = policy_provider.read(policy_id, outs)
    assert read.id == "" and read.outs == {}


@pytest.mark.usefixtures("with_settings")
def test_read_for_get_with_only_the_deployment_id(
    policy_provider: RetrainingPolicyProvider,
) -> None:
    policy_id, _ = create(policy_provider, notebook_policy())
    read = policy_provider.read(policy_id, {"deployment_id": DEPLOYMENT})
    outs = read.outs or {}
    assert outs["name"] == "MultiClass Drift Tracking Policy" and outs["managed_fields"] == []


@pytest.mark.usefixtures("with_settings")
def test_read_reports_the_latest_run(
    policy_provider: RetrainingPolicyProvider, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())
    run = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)
    latest = (policy_provider.read(policy_id, outs).outs or {})["latest_run"]
    assert latest["id"] == run.id and latest["status"] in {"scheduled", "running", "succeeded"}
    assert set(latest) >= {
        "id",
        "status",
        "start_time",
        "finish_time",
        "project_id",
        "model_package_id",
        "challenger_id",
        "error_message",
        "use_case_id",
    }


# -- delete ----------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_settings")
def test_delete_and_delete_again(policy_provider: RetrainingPolicyProvider, client: DataRobotClient) -> None:
    policy_id, outs = create(policy_provider, notebook_policy())
    policy_provider.delete(policy_id, outs)
    assert list(client.retraining_policies.list(DEPLOYMENT)) == []
    policy_provider.delete(policy_id, outs)  # already gone is success


@pytest.mark.usefixtures("with_settings")
def test_delete_during_a_cancellable_run_cancels_it_then_deletes(
    policy_provider: RetrainingPolicyProvider, client: DataRobotClient, emulator: EmulatorServer
) -> None:
    emulator.control.set_step_seconds(30)  # the run would take minutes: only a cancel lets the delete go through
    policy_id, outs = create(policy_provider, notebook_policy())
    run = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)
    policy_provider.delete(policy_id, outs)
    assert list(client.retraining_policies.list(DEPLOYMENT)) == []
    assert run.id


@pytest.mark.usefixtures("with_settings")
def test_delete_waits_for_a_run_past_the_cancellable_point(
    policy_provider: RetrainingPolicyProvider,
    client: DataRobotClient,
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator.control.set_step_seconds(0.3)
    emulator.control.set_variants(runSteps="shown")  # only to see when the run is past the point of no return
    policy_id, outs = create(policy_provider, notebook_policy())
    run = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)
    # Wait until it reaches "creating challenger", where a cancel is refused.
    for _ in range(200):
        current = client.retraining_policy_runs.get(DEPLOYMENT, policy_id, run.id)
        if (current.model_extra or {}).get("currentStep") == "creating challenger":
            break
        emulator.control.tick()
        time.sleep(0.02)
    assert (current.model_extra or {}).get("currentStep") == "creating challenger"
    policy_provider.delete(policy_id, outs)
    assert list(client.retraining_policies.list(DEPLOYMENT)) == []
    assert "past the point where it can be cancelled" in capsys.readouterr().err


@pytest.mark.usefixtures("with_settings")
def test_delete_gives_up_at_the_bound_with_the_run_id_and_what_to_do(
    client: DataRobotClient, emulator: EmulatorServer
) -> None:
    provider = RetrainingPolicyProvider()
    provider.configure(
        ConfigureRequest(
            Config(
                {
                    "datarobot:endpoint": emulator.api_url,
                    "datarobot:apikey": emulator.token,
                    "datarobot-retraining:runWaitTimeoutSeconds": "0.3",
                },
                "project",
            )
        )
    )
    emulator.control.set_step_seconds(60)
    policy_id, outs = create(provider, notebook_policy())
    run = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)
    emulator.control.inject_fault("PATCH", "deployments/*/retrainingPolicies/*/runs/*", status=409, count=100)
    with pytest.raises(ResourceOperationError) as caught:
        provider.delete(policy_id, outs)
    text = str(caught.value)
    assert run.id in text and "runs watch" in text and "runWaitTimeoutSeconds" in text
    assert [p.id for p in client.retraining_policies.list(DEPLOYMENT)] == [policy_id]


@pytest.mark.usefixtures("with_settings")
def test_create_committed_after_the_client_gave_up_is_adopted_not_sent_again(
    emulator: EmulatorServer, client: DataRobotClient
) -> None:
    """The server finishes a create 0.8 s in; the client stopped waiting at 0.3 s. Re-sending at once would make a
    duplicate; the provider looks again after its settle pause, finds the policy, and adopts it."""
    provider = RetrainingPolicyProvider()
    provider.configure(
        ConfigureRequest(
            Config(
                {
                    "datarobot:endpoint": emulator.api_url,
                    "datarobot:apikey": emulator.token,
                    "datarobot-retraining:requestTimeoutSeconds": "0.3",
                },
                "project",
            )
        )
    )
    provider.create_settle_seconds = 1.0
    emulator.control.inject_fault("POST", "deployments/*/retrainingPolicies", commit_delay=0.8)
    policy_id, _ = create(provider, notebook_policy())
    time.sleep(1.0)  # past the delayed commit: a duplicate, if one were made, would be visible now
    assert [p.id for p in client.retraining_policies.list(DEPLOYMENT)] == [policy_id]
    assert sum(1 for r in emulator.control.requests() if r["method"] == "POST") == 1


@pytest.mark.usefixtures("with_settings")
def test_a_cron_shorthand_schedule_runs_when_the_cron_line_says(policy_provider: RetrainingPolicyProvider) -> None:
    trigger = {"type": "schedule", "schedule": to_props(ScheduleArgs.from_cron("0 6 * * 1-5"))}
    _, outs = create(policy_provider, {"deployment_id": DEPLOYMENT, "name": "weekday mornings", "trigger": trigger})
    assert outs["trigger"]["schedule"]["day_of_week"] == [1, 2, 3, 4, 5]
    times = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in outs["next_scheduled_runs"]]
    assert len(times) == 3 and times == sorted(times)
    assert all(t.weekday() < 5 and (t.hour, t.minute) == (6, 0) for t in times)  # Monday to Friday, 06:00 UTC
