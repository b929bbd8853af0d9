"""Ownership: a create never takes a policy that existed before it, and destroy never deletes what the stack did not
create or explicitly adopt.

Driven through the real `python -m pulumi.dynamic` server against the emulator. The cases of the adversarial review:
a hand-made "nightly" and a program declaring "nightly" without `adopt_existing` whose POST a gateway refuses (502,
never executed); a destroy of a state that does not say the stack created or adopted its policy; two resources of
one stack with one name, one of whose POSTs is refused while the other lands.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate
from datarobot_retraining.resources import RetrainingPolicyProvider
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider
from tests.reliability.workload import ready_deployment

POLICY = dynamic_type("RetrainingPolicy")


@pytest.fixture
def provider_process(emulator: EmulatorServer) -> Iterator[ProviderServer]:
    """A provider process per test, as per `pulumi up`: the emulator's reset reuses ids, which the process's
    memory of what it gave to which resource assumes never happens within one process (DataRobot's are unique)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}
    with ProviderServer(project="ownership", env=env) as process:
        process.configure({"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token})
        yield process


@pytest.fixture
def deployment(emulator: EmulatorServer) -> str:
    return ready_deployment(emulator)


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[DataRobotClient]:
    with DataRobotClient(emulator.api_url, emulator.token) as api:
        yield api


def nightly(deployment: str, **extra: Any) -> dict[str, Any]:
    return {
        "deployment_id": deployment,
        "name": "nightly",
        "action": "create_model_package",
        "__provider": serialized_provider(RetrainingPolicyProvider()),
        **extra,
    }


def make_by_hand(client: DataRobotClient, deployment: str, name: str = "nightly") -> str:
    body = RetrainingPolicyCreate(name=name, action="create_model_package")
    return client.retraining_policies.create(deployment, body).id


def on_server(client: DataRobotClient, deployment: str) -> list[tuple[str, str]]:
    return [(p.id, p.name) for p in client.retraining_policies.list(deployment)]


def details(error: BaseException) -> str:
    assert isinstance(error, grpc.RpcError), repr(error)
    return str(error.details())  # type: ignore[attr-defined]


def last_line(error: BaseException) -> str:
    return details(error).strip().splitlines()[-1]


@pytest.mark.timeout(60)
def test_a_namesake_made_by_hand_is_not_taken_when_the_create_is_refused_by_a_gateway(
    emulator: EmulatorServer, provider_process: ProviderServer, deployment: str, client: DataRobotClient
) -> None:
    hand_made = make_by_hand(client, deployment)
    emulator.control.inject_fault("POST", f"deployments/{deployment}/retrainingPolicies", count=3, status=502)
    emulator.control.clear_requests()
    urn = make_urn(POLICY, "nightly")

    with pytest.raises(grpc.RpcError) as caught:
        provider_process.create(urn, provider_process.check(urn, {}, nightly(deployment)).inputs)

    assert last_line(caught.value).endswith(
        f"Cannot create retraining policy 'nightly' on deployment {deployment}: a policy with that name already "
        f"exists ({hand_made}) and this stack did not create it; set adopt_existing=True to take it over, or give "
        "this policy another name."
    )
    # One look, and no POST at all: the gateway's refusal was never even reached.
    assert [(r["method"], r["status"]) for r in emulator.control.requests()] == [("GET", 200)]
    assert on_server(client, deployment) == [(hand_made, "nightly")]


@pytest.mark.timeout(60)
def test_a_create_refused_by_a_gateway_and_sent_again_records_that_the_stack_created_the_policy(
    emulator: EmulatorServer, provider_process: ProviderServer, deployment: str, client: DataRobotClient
) -> None:
    emulator.control.inject_fault("POST", f"deployments/{deployment}/retrainingPolicies", count=1, status=502)
    urn = make_urn(POLICY, "nightly")
    policy_id, outputs = provider_process.create(urn, provider_process.check(urn, {}, nightly(deployment)).inputs)
    assert outputs["provenance"] == "created"
    assert on_server(client, deployment) == [(policy_id, "nightly")]
    provider_process.delete(urn, policy_id, outputs)
    assert on_server(client, deployment) == []


@pytest.mark.timeout(60)
def test_an_adopted_policy_is_recorded_as_adopted_and_deleted_by_destroy(
    provider_process: ProviderServer, deployment: str, client: DataRobotClient
) -> None:
    hand_made = make_by_hand(client, deployment)
    urn = make_urn(POLICY, "nightly")
    inputs = provider_process.check(urn, {}, nightly(deployment, adopt_existing=True)).inputs
    policy_id, outputs = provider_process.create(urn, inputs)
    assert (policy_id, outputs["provenance"]) == (hand_made, "adopted")
    provider_process.delete(urn, policy_id, outputs)  # explicitly adopted: destroy deletes it
    assert on_server(client, deployment) == []


@pytest.mark.timeout(60)
def test_destroy_leaves_a_policy_the_state_does_not_show_the_stack_created_or_adopted(
    provider_process: ProviderServer, deployment: str, client: DataRobotClient
) -> None:
    hand_made = make_by_hand(client, deployment)
    urn = make_urn(POLICY, "nightly")
    # What a state without provenance holds: the outputs of a read (as an older provider version wrote them).
    read = provider_process.read(urn, hand_made, {"deployment_id": deployment, **nightly(deployment)})
    assert read.id == hand_made and read.outputs.get("provenance") is None
    stderr_before = len(provider_process.stderr_lines)

    provider_process.delete(urn, hand_made, read.outputs)

    assert on_server(client, deployment) == [(hand_made, "nightly")]
    note = (
        f"Left retraining policy 'nightly' ({hand_made}) on deployment {deployment} in place: the state does not "
        "show that this stack created or adopted it, so deleting the resource only removes it from the stack; "
        f"delete the policy in DataRobot if it is no longer wanted."
    )
    assert provider_process.wait_for_stderr(note, after=stderr_before) == note


def wait_for_post(emulator: EmulatorServer, status: int, bound: float = 20.0) -> None:
    """Block until the emulator has answered a POST with `status` (bounded; the wait is not what is tested)."""
    deadline = time.monotonic() + bound
    while not any(r["method"] == "POST" and r["status"] == status for r in emulator.control.requests()):
        assert time.monotonic() < deadline, "the first create never reached the emulator"
        time.sleep(0.01)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("adopt_existing", [False, True], ids=["create", "adopt_existing"])
def test_two_resources_with_one_name_never_share_a_policy(
    emulator: EmulatorServer,
    provider_process: ProviderServer,
    deployment: str,
    client: DataRobotClient,
    adopt_existing: bool,
) -> None:
    emulator.control.inject_fault("POST", f"deployments/{deployment}/retrainingPolicies", count=1, status=502)
    emulator.control.clear_requests()
    outcomes: dict[str, tuple[str, dict[str, Any]] | BaseException] = {}

    def create(resource: str) -> None:
        urn = make_urn(POLICY, resource)
        try:
            inputs = provider_process.check(urn, {}, nightly(deployment, adopt_existing=adopt_existing)).inputs
            outcomes[resource] = provider_process.create(urn, inputs)
        except grpc.RpcError as error:
            outcomes[resource] = error

    # The first resource's POST is refused by the gateway; the second is declared while the first reconciles.
    first = threading.Thread(target=create, args=("first",))
    first.start()
    wait_for_post(emulator, 502)
    create("second")
    first.join(timeout=60)

    created = {name: value for name, value in outcomes.items() if isinstance(value, tuple)}
    refused = {name: value for name, value in outcomes.items() if isinstance(value, BaseException)}
    ids = [policy_id for policy_id, _ in created.values()]
    assert len(ids) == len(set(ids)), f"two resources share a policy: {outcomes}"
    assert sorted(ids) == sorted(policy_id for policy_id, _ in on_server(client, deployment))
    assert list(created) == ["first"] and list(refused) == ["second"], outcomes
    assert last_line(refused["second"]).endswith(
        f"Cannot {'adopt' if adopt_existing else 'create'} retraining policy 'nightly' on deployment {deployment}: "
        f"another resource of this stack already manages the policy with that name ({ids[0]}); give each resource "
        "its own name."
    )
