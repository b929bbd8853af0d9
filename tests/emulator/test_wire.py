"""Wire format: auth, both path forms, shapes and defaults, pagination, error bodies, the surrounding API."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import configure, create_policy, policies_url, schedule

from datarobot_emulator.seed import (
    DEMO_CREDENTIAL_ID,
    DEMO_DATASET_ID,
    DEMO_DEPLOYMENT_ID,
    DEMO_PREDICTION_ENVIRONMENT_ID,
    DEMO_USE_CASE_ID,
    DEMO_USER_ID,
    NO_CHALLENGERS_DEPLOYMENT_ID,
)
from datarobot_emulator.server import EmulatorServer

POLICY_KEYS = {
    "id",
    "name",
    "description",
    "action",
    "autopilotOptions",
    "featureListStrategy",
    "modelSelectionStrategy",
    "projectOptions",
    "projectOptionsStrategy",
    "timeSeriesOptions",
    "trigger",
    "latestRun",
    "useCase",
}


def test_auth_accepts_bearer_and_token_and_rejects_the_rest(emulator: EmulatorServer) -> None:
    url = f"{emulator.api_url}/deployments/"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Basic {emulator.token}"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": emulator.token}).status_code == 401
    unauthorized = httpx.get(url)
    assert unauthorized.json() == {"message": "Invalid or missing API token."}
    for scheme in ("Bearer", "Token", "bearer"):
        response = httpx.get(url, headers={"Authorization": f"{scheme} {emulator.token}"})
        assert response.status_code == 200, scheme


@pytest.mark.parametrize(
    "path",
    [
        "/version",
        "/account/info",
        "/deployments",
        f"/deployments/{DEMO_DEPLOYMENT_ID}",
        f"/deployments/{DEMO_DEPLOYMENT_ID}/settings",
        f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings",
        f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies",
        "/datasets",
        f"/datasets/{DEMO_DATASET_ID}",
        "/predictionEnvironments",
        f"/predictionEnvironments/{DEMO_PREDICTION_ENVIRONMENT_ID}",
        "/useCases",
        f"/useCases/{DEMO_USE_CASE_ID}",
        "/users",
        f"/users/{DEMO_USER_ID}",
        "/credentials",
        f"/credentials/{DEMO_CREDENTIAL_ID}",
    ],
)
def test_every_get_answers_with_and_without_trailing_slash(api: httpx.Client, path: str) -> None:
    with_slash = api.get(f"{path}/")
    without = api.get(path)
    assert with_slash.status_code == without.status_code == 200
    assert with_slash.json() == without.json()


def test_policy_and_run_paths_work_in_both_forms_without_redirects(api: httpx.Client) -> None:
    configure(api)
    base = policies_url().rstrip("/")
    created = api.post(base, json={"name": "no slash"})
    assert created.status_code == 200
    pid = created.json()["id"]
    assert api.get(f"{base}/{pid}").json()["name"] == "no slash"
    assert api.patch(f"{base}/{pid}", json={"name": "renamed"}).json()["name"] == "renamed"
    run = api.post(f"{base}/{pid}/runs")
    assert run.status_code == 200
    rid = run.json()["id"]
    assert api.get(f"{base}/{pid}/runs").json()["totalCount"] == 1
    assert api.get(f"{base}/{pid}/runs/{rid}").json()["id"] == rid
    assert api.get(f"{base}/{pid}/runs/{rid}/").json()["id"] == rid


def test_unknown_path_is_a_json_404_not_a_redirect(api: httpx.Client) -> None:
    response = api.get("/nothingHere/")
    assert response.status_code == 404
    assert "message" in response.json()
    assert api.put(f"/deployments/{DEMO_DEPLOYMENT_ID}/").status_code == 405


def test_head_is_a_read_that_answers_like_get_and_changes_nothing(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(api)
    run = api.post(f"{policies_url()}{policy['id']}/runs/").json()
    reads = [
        f"{policies_url()}{policy['id']}/",
        policies_url(),
        f"{policies_url()}{policy['id']}/runs/",
        f"{policies_url()}{policy['id']}/runs/{run['id']}/",
        f"/deployments/{DEMO_DEPLOYMENT_ID}/settings/",
        f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/",
    ]
    for path in reads:
        head = api.head(path)
        assert head.status_code == api.get(path).status_code == 200, path
        assert head.content == b"", path
    for path in ("/faults/", "/clock/", "/requests/"):
        assert httpx.head(f"{emulator.base_url}/_emulator{path}").status_code == 200, path
    # Nothing was deleted, created, patched or armed by the HEADs.
    assert api.get(f"{policies_url()}{policy['id']}/").status_code == 200
    assert api.get(policies_url()).json()["totalCount"] == 1
    assert api.get(f"{policies_url()}{policy['id']}/runs/").json()["totalCount"] == 1
    assert emulator.control.faults() == []
    methods = {record["method"] for record in emulator.control.requests()}
    assert methods == {"PATCH", "POST", "GET", "HEAD"}
    assert [r["path"] for r in emulator.control.requests() if r["method"] == "PATCH"] == [
        f"/api/v2/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
    ]


def test_version_and_account_info(api: httpx.Client) -> None:
    assert api.get("/version/").json() == {"major": 2, "minor": 49, "versionString": "2.49.0"}
    info = api.get("/account/info/").json()
    assert info["uid"] == DEMO_USER_ID
    assert {"email", "firstName", "lastName", "orgId", "permissions"} <= set(info)


def test_deployment_shape(api: httpx.Client) -> None:
    deployment = api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/").json()
    assert deployment["id"] == DEMO_DEPLOYMENT_ID
    assert set(deployment["model"]) == {"id", "type", "targetName", "targetType", "projectId"}
    assert set(deployment["modelPackage"]) == {"id", "name", "registeredModelId"}
    assert set(deployment["predictionEnvironment"]) == {"id", "name", "platform"}
    assert deployment["owners"]["count"] == 1
    assert set(deployment["owners"]["preview"][0]) == {"id", "email", "firstName", "lastName"}
    for key in ("accuracyHealth", "modelHealth", "serviceHealth"):
        assert deployment[key]["status"] == "passing"
        assert isinstance(deployment[key]["message"], str)
    assert isinstance(deployment["permissions"], list)
    for key in ("label", "description", "status", "importance"):
        assert isinstance(deployment[key], str)


def test_unknown_ids_answer_404_with_the_reference_messages(api: httpx.Client) -> None:
    missing = "0" * 24
    assert api.get(f"/deployments/{missing}/").json() == {"message": "Deployment not found."}
    assert api.get(f"/deployments/{missing}/retrainingSettings/").status_code == 404
    assert api.get(f"/deployments/{missing}/retrainingPolicies/").json() == {"message": "Deployment not found."}
    response = api.get(f"{policies_url()}{missing}/")
    assert response.status_code == 404
    assert response.json() == {"message": "Deployment or retraining policy not found."}
    assert api.delete(f"{policies_url()}{missing}/").status_code == 404
    assert api.post(f"{policies_url()}{missing}/runs/").status_code == 404
    configure(api)
    pid = create_policy(api)["id"]
    assert api.get(f"{policies_url()}{pid}/runs/{missing}/").status_code == 404
    # A policy is only found under its own deployment.
    assert api.get(f"{policies_url(NO_CHALLENGERS_DEPLOYMENT_ID)}{pid}/").status_code == 404
    assert api.get(f"/datasets/{missing}/").status_code == 404


def test_retraining_settings_read_shape_write_shape_and_null_clears(api: httpx.Client) -> None:
    url = f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
    empty = api.get(url).json()
    # No `credential`: no public source shows it in this answer (the `settingsCredential` variant adds it).
    assert empty == {"dataset": None, "predictionEnvironment": None, "retrainingUser": None}
    response = api.patch(
        url,
        json={
            "datasetId": DEMO_DATASET_ID,
            "predictionEnvironmentId": DEMO_PREDICTION_ENVIRONMENT_ID,
            "retrainingUserId": DEMO_USER_ID,
            "credentialId": DEMO_CREDENTIAL_ID,
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    full = api.get(url).json()
    assert full == {
        "dataset": {"id": DEMO_DATASET_ID, "name": "churn_training.csv"},
        "predictionEnvironment": {"id": DEMO_PREDICTION_ENVIRONMENT_ID, "name": "DataRobot Serverless"},
        "retrainingUser": {"id": DEMO_USER_ID, "username": "demo.user@example.com"},
    }
    # Sparse PATCH: only what is sent changes; an explicit null clears.
    assert api.patch(url, json={"predictionEnvironmentId": None}).status_code == 204
    after = api.get(url).json()
    assert after["predictionEnvironment"] is None
    assert after["dataset"] == full["dataset"]
    unknown_key = api.patch(url, json={"dataset_id": DEMO_DATASET_ID})
    assert unknown_key.status_code == 422
    assert set(unknown_key.json()["errors"]) == {"dataset_id"}
    missing = api.patch(url, json={"datasetId": "f" * 24, "retrainingUserId": "e" * 24})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"datasetId", "retrainingUserId"}
    assert api.get(url).json() == after


def test_settings_credential_variant_echoes_the_credential(emulator: EmulatorServer, api: httpx.Client) -> None:
    url = f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
    assert api.patch(url, json={"credentialId": DEMO_CREDENTIAL_ID}).status_code == 204
    assert "credential" not in api.get(url).json()
    assert emulator.control.set_variants(settingsCredential="echoed")["settingsCredential"] == "echoed"
    assert api.get(url).json()["credential"] == {"id": DEMO_CREDENTIAL_ID, "name": "Warehouse reader"}
    emulator.control.reset()
    assert emulator.control.variants()["settingsCredential"] == "absent"


def test_policy_create_fills_server_defaults_and_nulls(api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(api, name="defaults")
    assert set(policy) == POLICY_KEYS
    assert policy["description"] is None
    assert policy["action"] == "create_challenger"
    assert policy["featureListStrategy"] == "same_as_champion"
    assert policy["modelSelectionStrategy"] == "autopilot_recommended"
    assert policy["projectOptionsStrategy"] == "same_as_champion"
    # Nested keys not sent come back null, as the time-series options are seen to (nestedKeys=filled: §6 values).
    assert policy["autopilotOptions"] == dict.fromkeys(
        ("mode", "blendBestModels", "scoringCodeOnly", "runLeakageRemovedFeatureList", "shapOnlyMode")
    )
    assert policy["projectOptions"] == dict.fromkeys(
        ("cvMethod", "validationType", "holdoutPct", "reps", "metric", "validationPct")
    )
    assert policy["trigger"] == dict.fromkeys(
        (
            "type",
            "schedule",
            "statusDeclinesToWarning",
            "statusDeclinesToFailing",
            "statusStillInDecline",
            "minIntervalBetweenRuns",
            "customJobId",
        )
    )
    assert policy["timeSeriesOptions"] == {
        "calendarId": None,
        "differencingMethod": None,
        "exponentiallyWeightedMovingAlpha": None,
        "periodicities": None,
        "treatAsExponential": None,
    }
    assert policy["latestRun"] is None
    assert "customJob" not in policy  # the docs' example policy has no such key
    assert policy["useCase"] is None
    assert "deploymentId" not in policy
    assert api.get(f"{policies_url()}{policy['id']}/").json() == policy


def test_policy_echoes_sent_values_floats_become_ints_and_use_case_resolves(api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(
        api,
        name="sent",
        description="d",
        useCaseId=DEMO_USE_CASE_ID,
        projectOptions={"reps": 10.0, "holdoutPct": 15.0, "metric": "AUC"},
        trigger={
            "type": "schedule",
            "schedule": {"minute": [0.0], "hour": [3], "dayOfMonth": ["*"], "month": ["Jan", "october"],
                         "dayOfWeek": ["*"]},
            "minIntervalBetweenRuns": "P1D",
        },
        timeSeriesOptions={"periodicities": [{"timeSteps": 7.0, "timeUnit": "DAY"}], "differencingMethod": "seasonal"},
    )  # fmt: skip
    assert policy["useCase"] == {"id": DEMO_USE_CASE_ID, "name": "Customer retention"}
    assert policy["projectOptions"]["reps"] == 10
    assert isinstance(policy["projectOptions"]["reps"], int)
    assert policy["projectOptions"]["holdoutPct"] == 15
    assert isinstance(policy["projectOptions"]["holdoutPct"], int)
    # Keys not sent inside a nested object come back null (a saved real answer and the docs' example show it).
    assert policy["projectOptions"]["cvMethod"] is None
    assert policy["projectOptions"]["validationPct"] is None
    schedule = policy["trigger"]["schedule"]
    assert schedule["minute"] == [0]
    assert isinstance(schedule["minute"][0], int)
    assert schedule["month"] == ["Jan", "october"]
    assert policy["trigger"]["minIntervalBetweenRuns"] == "P1D"
    assert policy["timeSeriesOptions"]["periodicities"] == [{"timeSteps": 7, "timeUnit": "DAY"}]
    assert policy["timeSeriesOptions"]["calendarId"] is None


@pytest.mark.parametrize("method", ["PATCH", "POST"])
def test_a_partial_schedule_is_refused_not_read_as_every_minute(api: httpx.Client, method: str) -> None:
    configure(api)
    url = policies_url()
    if method == "PATCH":
        url += create_policy(api, trigger={"type": "schedule", "schedule": schedule(minute=[30], hour=[2])})["id"] + "/"
    response = api.request(
        method,
        url,
        json={"name": "partial", "trigger": {"type": "schedule", "schedule": {"minute": [30], "hour": [2]}}},
    )
    assert response.status_code == 422
    assert "missing dayOfMonth, month, dayOfWeek" in response.json()["errors"]["trigger.schedule"]
    if method == "PATCH":
        assert api.get(url).json()["trigger"]["schedule"]["hour"] == [2]


def test_nested_keys_variant_fills_the_terraform_defaults_instead(emulator: EmulatorServer, api: httpx.Client) -> None:
    emulator.control.set_variants(nestedKeys="filled")
    configure(api)
    policy = create_policy(api, projectOptions={"metric": "AUC"}, trigger={"type": "data_drift_decline"})
    assert policy["autopilotOptions"]["mode"] == "quick"  # not sent at all: the same values
    assert policy["projectOptions"] == {
        "cvMethod": "RandomCV",
        "validationType": "CV",
        "holdoutPct": 20,
        "reps": 5,
        "metric": "AUC",
        "validationPct": None,
    }
    assert policy["trigger"]["statusDeclinesToWarning"] is False


@pytest.mark.parametrize(("variant", "answered"), [("resolved", "seasonal"), ("asSent", "auto")])
def test_differencing_with_periodicities_is_answered_as_the_variant_says(
    emulator: EmulatorServer, api: httpx.Client, variant: str, answered: str
) -> None:
    emulator.control.set_variants(differencing=variant)
    configure(api)
    periodicities = [{"timeSteps": 7, "timeUnit": "DAY"}]
    policy = create_policy(api, timeSeriesOptions={"differencingMethod": "auto", "periodicities": periodicities})
    assert policy["timeSeriesOptions"]["differencingMethod"] == answered
    # Stored as sent: without periodicities the method is what was sent again (and no seasonal rule trips).
    url = f"{policies_url()}{policy['id']}/"
    cleared = api.patch(url, json={"timeSeriesOptions": {"periodicities": None}})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["timeSeriesOptions"]["differencingMethod"] == "auto"
    unset = create_policy(api, name="unset", timeSeriesOptions={"periodicities": periodicities})
    assert unset["timeSeriesOptions"]["differencingMethod"] == ("seasonal" if variant == "resolved" else None)


@pytest.mark.parametrize("manual", [None, "None"])
def test_manual_trigger_type_is_echoed_as_received(api: httpx.Client, manual: str | None) -> None:
    # No retraining user needed for a manual-only policy.
    assert (
        api.patch(
            f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/", json={"datasetId": DEMO_DATASET_ID}
        ).status_code
        == 204
    )
    policy = create_policy(api, trigger={"type": manual})
    assert policy["trigger"]["type"] == manual
    assert api.get(f"{policies_url()}{policy['id']}/").json()["trigger"]["type"] == manual


def test_patch_merges_nested_objects_key_by_key_and_null_clears(api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(
        api,
        description="keep me",
        projectOptions={"metric": "AUC", "validationPct": 16, "holdoutPct": 10, "reps": 4},
        trigger={"type": "schedule", "schedule": schedule(minute=[0], hour=[1]), "minIntervalBetweenRuns": "PT12H"},
    )
    url = f"{policies_url()}{policy['id']}/"
    patched = api.patch(
        url,
        json={"projectOptions": {"holdoutPct": None}, "trigger": {"schedule": schedule(minute=[15], hour=[5])}},
    )
    assert patched.status_code == 200
    body = patched.json()
    assert body["projectOptions"] == {
        "cvMethod": None,
        "validationType": None,
        "holdoutPct": None,
        "reps": 4,
        "metric": "AUC",
        "validationPct": 16,
    }
    # A schedule is one unit: the one sent replaces the stored one.
    assert body["trigger"]["schedule"] == schedule(minute=[15], hour=[5])
    assert body["trigger"]["minIntervalBetweenRuns"] == "PT12H"
    assert body["description"] == "keep me"
    cleared = api.patch(url, json={"description": None, "trigger": {"minIntervalBetweenRuns": None}}).json()
    assert cleared["description"] is None
    assert cleared["trigger"]["minIntervalBetweenRuns"] is None
    assert cleared["trigger"]["type"] == "schedule"
    reset = api.patch(url, json={"projectOptions": None}).json()
    assert set(reset["projectOptions"].values()) == {None}
    assert api.get(url).json() == reset


def test_policy_delete_answers_204_then_404(api: httpx.Client) -> None:
    configure(api)
    pid = create_policy(api)["id"]
    response = api.delete(f"{policies_url()}{pid}/")
    assert response.status_code == 204
    assert api.get(f"{policies_url()}{pid}/").status_code == 404
    assert api.delete(f"{policies_url()}{pid}/").status_code == 404


def test_next_links_on_another_origin_under_the_variant(emulator: EmulatorServer, api: httpx.Client) -> None:
    emulator.control.add_deployments(7)
    emulator.control.set_variants(nextLinks="foreign")
    page = api.get("/deployments/", params={"limit": 4}).json()
    assert page["next"] == "http://datarobot-internal.invalid:8080/api/v2/deployments/?offset=4&limit=4"


def test_unknown_variants_and_choices_are_refused_by_name(emulator: EmulatorServer) -> None:
    response = httpx.post(f"{emulator.base_url}/_emulator/variants", json={"runStatuses": "klingon", "colour": "blue"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"colour"}
    bad_choice = httpx.post(f"{emulator.base_url}/_emulator/variants", json={"runStatuses": "klingon"})
    assert bad_choice.status_code == 422
    assert "lowercase, alternate, opaque" in bad_choice.json()["errors"]["runStatuses"]
    # JSON booleans and numbers stand for the choices spelled that way.
    changed = httpx.post(
        f"{emulator.base_url}/_emulator/variants", json={"policyNeedsDataset": True, "policyLimitStatus": 409}
    ).json()["variants"]
    assert (changed["policyNeedsDataset"], changed["policyLimitStatus"]) == ("true", "409")


def test_pagination_envelope_and_next_links(emulator: EmulatorServer, api: httpx.Client) -> None:
    emulator.control.add_deployments(7)
    first = api.get("/deployments/", params={"limit": 4})
    page = first.json()
    assert set(page) == {"count", "data", "next", "previous", "totalCount"}
    assert page["count"] == 4
    assert page["totalCount"] == 10
    assert page["previous"] is None
    assert page["next"].startswith(emulator.api_url + "/deployments/")
    seen = [d["id"] for d in page["data"]]
    url = page["next"]
    while url is not None:
        page = api.get(url).json()
        assert page["previous"] is not None
        seen.extend(d["id"] for d in page["data"])
        url = page["next"]
    assert len(seen) == len(set(seen)) == 10
    assert api.get("/deployments/", params={"offset": 8, "limit": 4}).json()["count"] == 2
    default = api.get("/deployments/").json()
    assert default["count"] == 10
    assert default["next"] is None
    for bad in ({"limit": 1001}, {"limit": 0}, {"offset": -1}, {"limit": "ten"}):
        response = api.get("/deployments/", params=bad)
        assert response.status_code == 422, bad
        assert set(response.json()["errors"]) <= {"limit", "offset"}
    assert api.get("/deployments/", params={"limit": 1000}).status_code == 200


def test_policy_and_run_lists_paginate(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api)
    names = [create_policy(api, name=f"p{i}", action="create_model_package")["name"] for i in range(3)]
    page = api.get(policies_url(), params={"limit": 2}).json()
    assert [p["name"] for p in page["data"]] == names[:2]
    assert page["totalCount"] == 3
    assert [p["name"] for p in api.get(page["next"]).json()["data"]] == names[2:]
    emulator.control.set_step_seconds(0)
    pid = api.get(policies_url()).json()["data"][0]["id"]
    run_ids = [api.post(f"{policies_url()}{pid}/runs/").json()["id"] for _ in range(3)]
    runs = api.get(f"{policies_url()}{pid}/runs/", params={"limit": 2, "offset": 1}).json()
    assert [r["id"] for r in runs["data"]] == run_ids[1:]
    assert runs["totalCount"] == 3


def test_malformed_json_is_400_and_wrong_types_are_422(api: httpx.Client) -> None:
    configure(api)
    response = api.post(policies_url(), content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "message" in response.json()
    assert api.post(policies_url(), json=["name"]).status_code == 422
    unknown = api.post(policies_url(), json={"name": "x", "use_case_id": "y"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"use_case_id": "is not an allowed key"}


def test_surrounding_objects_list_and_get(api: httpx.Client) -> None:
    datasets = api.get("/datasets/").json()
    assert {d["datasetId"] for d in datasets["data"]} >= {DEMO_DATASET_ID}
    assert api.get(f"/datasets/{DEMO_DATASET_ID}/").json()["name"] == "churn_training.csv"
    env = api.get(f"/predictionEnvironments/{DEMO_PREDICTION_ENVIRONMENT_ID}/").json()
    assert env["platform"] == "datarobotServerless"
    assert api.get(f"/useCases/{DEMO_USE_CASE_ID}/").json()["name"] == "Customer retention"
    assert api.get(f"/credentials/{DEMO_CREDENTIAL_ID}/").json()["credentialId"] == DEMO_CREDENTIAL_ID
    assert api.get("/users/").json()["totalCount"] == 2


def test_deployment_settings_patch_answers_202_and_status_303(api: httpx.Client) -> None:
    url = f"/deployments/{NO_CHALLENGERS_DEPLOYMENT_ID}/settings/"
    assert api.get(url).json()["challengerModels"] == {"enabled": False}
    response = api.patch(url, json={"challengerModels": {"enabled": True}})
    assert response.status_code == 202
    location = response.headers["Location"]
    assert location.startswith(f"{api.base_url}".rstrip("/") + "/status/")
    status = api.get(location)
    assert status.status_code == 303
    assert status.headers["Location"].endswith(f"/api/v2/deployments/{NO_CHALLENGERS_DEPLOYMENT_ID}/settings/")
    assert status.json()["status"] == "COMPLETED"
    assert api.get(url).json()["challengerModels"] == {"enabled": True}
    assert api.get(f"/status/{'0' * 24}/").status_code == 404
    assert api.patch(url, json={"challengerModels": {"enabled": "yes"}}).status_code == 422
