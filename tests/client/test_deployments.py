"""Deployments against the emulator: get, and list across pages."""

from __future__ import annotations

import pytest

from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import NotFoundError


def test_get(client: DataRobotClient) -> None:
    deployment = client.deployments.get(DEMO_DEPLOYMENT_ID)
    assert deployment.id == DEMO_DEPLOYMENT_ID
    assert deployment.label == "Churn classifier"
    assert deployment.model is not None and deployment.model.target_name == "churn"
    assert deployment.prediction_environment is not None and deployment.prediction_environment.name
    assert deployment.service_health is not None and deployment.service_health.status


def test_get_unknown(client: DataRobotClient) -> None:
    with pytest.raises(NotFoundError):
        client.deployments.get("000000000000000000000000")


def test_list_demo(client: DataRobotClient) -> None:
    labels = {d.label for d in client.deployments.list()}
    assert {"Churn classifier", "Demand forecast", "Fraud detector"} <= labels


def test_list_follows_next_over_many_pages(client: DataRobotClient, emulator: EmulatorServer) -> None:
    emulator.control.reset("scale", deployments=250)
    ids = [d.id for d in client.deployments.list()]
    assert len(ids) == 253
    assert len(set(ids)) == 253
    pages = [r for r in emulator.control.requests() if r["path"] == "/api/v2/deployments/"]
    assert len(pages) == 3  # the emulator's default page is 100
    assert all(r["method"] == "GET" and r["status"] == 200 for r in pages)


@pytest.mark.parametrize("links", ["request", "foreign"])
def test_list_follows_next_links_even_on_another_origin(
    client: DataRobotClient, emulator: EmulatorServer, links: str
) -> None:
    # Behind a proxy that rewrites the host, the server's links name its own origin: the list is read on ours.
    emulator.control.add_deployments(250)
    emulator.control.set_variants(nextLinks=links)
    emulator.control.clear_requests()
    assert len({d.id for d in client.deployments.list()}) == 253
    requests = emulator.control.requests()
    assert [r["path"] for r in requests] == ["/api/v2/deployments/"] * 3 and all(r["status"] == 200 for r in requests)
