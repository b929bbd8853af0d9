"""A wrong endpoint is never read as "everything was deleted": a 404 means gone only when the DataRobot API said it.

The endpoint of a live emulator without `/api/v2`, with `/api/v3`, or with `/api/v2` twice answers 404 to every call.
Refresh must not return an empty id for live policies, settings and runs (the engine would drop them from the state),
delete must not report success while the policy stays, and the CLI must not say "Deployment ... was not found". The
check behind it (`GET version/`) is made once per provider process, only before the first 404 is believed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import NotFoundError, WrongEndpointError
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate
from datarobot_retraining.resources import (
    RetrainingPolicyProvider,
    RetrainingPolicyRunProvider,
    RetrainingSettingsProvider,
)
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider

SCRIPT = Path(sys.executable).with_name("datarobot-retraining")
DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID
WRONG_PATHS = ["", "/api/v3", "/api/v2/api/v2"]
POLICY, SETTINGS, RUN = (
    dynamic_type(name) for name in ("RetrainingPolicy", "RetrainingSettings", "RetrainingPolicyRun")
)


def expected_sentence(endpoint: str) -> str:
    return (
        f"the endpoint {endpoint} does not answer as the DataRobot API (GET version/ answered 404), so a 404 "
        "from it does not show that anything is gone; set the endpoint to the API's base URL, of the form "
        "https://<host>/api/v2."
    )


def quiet_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}


@pytest.fixture
def live(emulator: EmulatorServer) -> dict[str, Any]:
    """Settings, a policy and a run that really exist, with the outputs a correctly configured stack holds."""
    outputs: dict[str, Any] = {}
    with ProviderServer(project="right-endpoint", env=quiet_env()) as server:
        server.configure({"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token})
        settings = {
            "deployment_id": DEPLOYMENT,
            "dataset_id": seed.DEMO_DATASET_ID,
            "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
            "__provider": serialized_provider(RetrainingSettingsProvider()),
        }
        outputs["settings"] = server.create(
            make_urn(SETTINGS, "s"), server.check(make_urn(SETTINGS, "s"), {}, settings).inputs
        )
        policy = {
            "deployment_id": DEPLOYMENT,
            "name": "nightly",
            "action": "create_model_package",
            "__provider": serialized_provider(RetrainingPolicyProvider()),
        }
        outputs["policy"] = server.create(make_urn(POLICY, "p"), server.check(make_urn(POLICY, "p"), {}, policy).inputs)
        run = {
            "deployment_id": DEPLOYMENT,
            "policy_id": outputs["policy"][0],
            "__provider": serialized_provider(RetrainingPolicyRunProvider()),
        }
        outputs["run"] = server.create(make_urn(RUN, "r"), server.check(make_urn(RUN, "r"), {}, run).inputs)
    return outputs


def version_checks(emulator: EmulatorServer) -> int:
    return sum(1 for r in emulator.control.requests() if r["path"].rstrip("/").endswith("/version"))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("suffix", WRONG_PATHS, ids=["no-api-v2", "api-v3", "api-v2-twice"])
def test_refresh_and_delete_through_a_wrong_endpoint_fail_and_change_nothing(
    emulator: EmulatorServer, live: dict[str, Any], suffix: str
) -> None:
    endpoint = emulator.base_url + suffix
    emulator.control.clear_requests()
    failures: dict[str, str] = {}
    with ProviderServer(project="wrong-endpoint", env=quiet_env()) as server:
        server.configure({"datarobot:endpoint": endpoint, "datarobot:apikey": emulator.token})
        calls = {
            "read settings": lambda: server.read(make_urn(SETTINGS, "s"), DEPLOYMENT, live["settings"][1]),
            "read policy": lambda: server.read(make_urn(POLICY, "p"), *live["policy"]),
            "read run": lambda: server.read(make_urn(RUN, "r"), *live["run"]),
            "delete policy": lambda: server.delete(make_urn(POLICY, "p"), *live["policy"]),
            "delete settings": lambda: server.delete(make_urn(SETTINGS, "s"), DEPLOYMENT, live["settings"][1]),
        }
        for name, call in calls.items():
            try:
                outcome = call()
            except grpc.RpcError as error:
                failures[name] = str(error.details()).strip().splitlines()[-1]  # type: ignore[attr-defined]
            else:
                failures[name] = f"no error; answered {outcome!r}"

    for name, line in failures.items():
        assert expected_sentence(endpoint) in line, (name, line)
    # Nothing was touched, and the endpoint was checked once for the whole process.
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        assert [p.id for p in client.retraining_policies.list(DEPLOYMENT)] == [live["policy"][0]]
        assert client.retraining_settings.get(DEPLOYMENT).dataset is not None
    assert version_checks(emulator) == 1


@pytest.mark.timeout(60)
def test_on_the_right_endpoint_a_404_still_means_gone_after_one_version_check(emulator: EmulatorServer) -> None:
    provider = serialized_provider(RetrainingPolicyProvider())
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID))
        made = [
            client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name=f"gone-{i}")).id for i in range(2)
        ]
        for policy_id in made:
            client.retraining_policies.delete(DEPLOYMENT, policy_id)
    emulator.control.clear_requests()
    with ProviderServer(project="right-endpoint", env=quiet_env()) as server:
        server.configure({"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token})
        for policy_id in made:
            props = {"deployment_id": DEPLOYMENT, "name": "gone", "__provider": provider}
            assert server.read(make_urn(POLICY, policy_id), policy_id, props).id == ""
            server.delete(make_urn(POLICY, policy_id), policy_id, {**props, "provenance": "created"})
    assert version_checks(emulator) == 1


def test_the_client_raises_wrong_endpoint_not_not_found(emulator: EmulatorServer) -> None:
    endpoint = emulator.base_url + "/api/v3"
    with DataRobotClient(endpoint, emulator.token) as client:
        with pytest.raises(WrongEndpointError) as caught:
            client.retraining_settings.get(DEPLOYMENT)
        assert not isinstance(caught.value, NotFoundError)
        assert expected_sentence(endpoint)[1:] in str(caught.value)
    with DataRobotClient(emulator.api_url, emulator.token) as client, pytest.raises(NotFoundError):
        client.retraining_settings.get("000000000000000000000000")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("suffix", WRONG_PATHS, ids=["no-api-v2", "api-v3", "api-v2-twice"])
def test_the_cli_names_the_endpoint_instead_of_a_missing_deployment(emulator: EmulatorServer, suffix: str) -> None:
    endpoint = emulator.base_url + suffix
    done = subprocess.run(
        [str(SCRIPT), "--endpoint", endpoint, "--token", emulator.token, "policies", "list", DEPLOYMENT],
        check=False,
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: T{expected_sentence(endpoint)[1:]}"], done.stderr
