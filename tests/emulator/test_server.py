"""Starting and stopping: persistence across restarts with a file database, the CLI, the seeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from datarobot_emulator.seed import DEMO_DATASET_ID, DEMO_DEPLOYMENT_ID, DEMO_USER_ID
from datarobot_emulator.server import EmulatorServer


def _client(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=server.api_url, headers={"Authorization": f"Token {server.token}"})


def test_state_survives_a_restart_with_a_file_database(tmp_path: Path) -> None:
    db = str(tmp_path / "emulator.db")
    with EmulatorServer(db=db, step_seconds=0) as first, _client(first) as api:
        api.patch(
            f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/",
            json={"datasetId": DEMO_DATASET_ID, "retrainingUserId": DEMO_USER_ID},
        )
        created = api.post(f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/", json={"name": "kept"}).json()
        run = api.post(f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/{created['id']}/runs/").json()
        first_port = first.port
    assert not first.running
    # Same file, seed "demo" again: an existing world is kept, not re-seeded.
    with EmulatorServer(db=db, seed="demo") as second, _client(second) as api:
        policy = api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/{created['id']}/").json()
        assert policy == {**created, "latestRun": policy["latestRun"]}
        assert policy["latestRun"]["id"] == run["id"]
        assert api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/").json()["dataset"]["id"] == (
            DEMO_DATASET_ID
        )
        # Ids keep counting: no reuse after a restart.
        again = api.post(f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/", json={"name": "new"}).json()
        assert again["id"] not in (created["id"], run["id"])
        assert second.port != 0
    assert first_port != 0
    with EmulatorServer(db=db, seed="empty", reset=True) as third, _client(third) as api:
        assert api.get("/deployments/").json()["totalCount"] == 0


def test_seeds(emulator: EmulatorServer) -> None:
    with _client(emulator) as api:
        emulator.control.reset("empty")
        assert api.get("/deployments/").json()["totalCount"] == 0
        emulator.control.seed("scale", deployments=25)
        assert api.get("/deployments/").json()["totalCount"] == 28
        extra = api.get("/deployments/", params={"offset": 3, "limit": 1}).json()["data"][0]
        assert api.get(f"/deployments/{extra['id']}/settings/").json()["challengerModels"]["enabled"] is True


def test_cli_prints_the_api_url_with_the_real_port(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "datarobot_emulator", "--port", "0", "--token", "cli-token",
         "--db", str(tmp_path / "cli.db"), "--seed", "demo", "--step-seconds", "0.1"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:")
        assert line.endswith("/api/v2")
        assert not line.endswith(":0/api/v2")
        for _ in range(100):
            try:
                response = httpx.get(f"{line}/version/", headers={"Authorization": "Bearer cli-token"})
                break
            except httpx.ConnectError:
                import time

                time.sleep(0.05)
        assert response.json()["versionString"] == "2.49.0"
        assert httpx.get(f"{line}/deployments/", headers={"Authorization": "Token cli-token"}).json()["totalCount"] == 3
    finally:
        process.terminate()
        process.wait(timeout=10)
