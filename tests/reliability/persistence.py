"""Crash durability of the emulator's file database: a write load, SIGKILL mid-load, a restart, a ledger check.

Used by `test_persistence.py` (two kills) and `soak` (as many as asked). Every write the load makes is recorded in
a ledger: acknowledged (the client received a 2xx) or in flight (sent, no answer: the kill cut it). After each
restart on the same database, every acknowledged write must be there, an in-flight one may or may not be, and
nothing else may have appeared.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from datarobot_emulator import seed
from datarobot_emulator.control import EmulatorControl
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import APIError, APIStatusError
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingPolicyUpdate, RetrainingSettingsUpdate

MAX_POLICIES = 5
ENVIRONMENTS = (seed.DEMO_PREDICTION_ENVIRONMENT_ID, seed.DEMO_PREDICTION_ENVIRONMENT_2_ID)


class EmulatorProcess:
    """`python -m datarobot_emulator` on a file database, in its own process, so that it can be SIGKILLed."""

    def __init__(self, db: Path, token: str, log: Path) -> None:
        self.db = db
        self.token = token
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.api_url = ""
        self.control: EmulatorControl | None = None

    def start(self, timeout: float = 30.0) -> EmulatorProcess:
        command = [sys.executable, "-m", "datarobot_emulator", "--port", "0", "--token", self.token]
        command += ["--db", str(self.db), "--seed", "demo", "--step-seconds", "0.05"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        assert self.process.stdout is not None
        self.api_url = self.process.stdout.readline().decode().strip()
        if not self.api_url.startswith("http"):
            self.kill()
            raise RuntimeError(f"the emulator did not start: {self.log.read_text(errors='replace')[-2000:]}")
        self.control = EmulatorControl(self.api_url.removesuffix("/api/v2"))
        deadline = time.monotonic() + timeout
        while not self.control.health():
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the emulator did not answer its health check")
            time.sleep(0.02)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no final commit, no flush; then reap the process."""
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None


@dataclass
class _Policy:
    deployment_id: str
    name: str
    description: str | None = None  # the last acknowledged value
    in_flight: list[str] = field(default_factory=list)  # values sent without an answer
    deleted: bool = False  # acknowledged delete
    maybe_deleted: bool = False


@dataclass
class Ledger:
    """What the load wrote, and what the server acknowledged, for the deployments of one load run."""

    deployments: list[str]
    policies: dict[str, _Policy] = field(default_factory=dict)  # acknowledged creates, by id
    maybe_created: list[tuple[str, str]] = field(default_factory=list)  # (deployment, name) sent without answer
    environment: dict[str, str | None] = field(default_factory=dict)  # acknowledged settings value
    environment_in_flight: dict[str, list[str]] = field(default_factory=dict)
    acknowledged: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    not_sent: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class CycleFigures:
    acknowledged: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    in_flight_landed: int = 0
    not_sent: int = 0
    policies_checked: int = 0
    lost_writes: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    inconsistencies: list[str] = field(default_factory=list)
    max_policies_per_deployment: int = 0
    kills: int = 0
    load_seconds: float = 0.0

    def merge(self, other: CycleFigures) -> None:
        self.acknowledged.update(other.acknowledged)
        for name in ("in_flight", "in_flight_landed", "not_sent", "policies_checked", "kills", "load_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("lost_writes", "unexplained", "inconsistencies"):
            getattr(self, name).extend(getattr(other, name))
        self.max_policies_per_deployment = max(self.max_policies_per_deployment, other.max_policies_per_deployment)

    def rows(self) -> list[tuple[str, str]]:
        acked = sum(self.acknowledged.values())
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.acknowledged.items()))
        return [
            ("SIGKILLs mid-load", str(self.kills)),
            ("acknowledged writes", f"{acked} ({kinds})"),
            ("writes cut mid-request by a kill", f"{self.in_flight} ({self.in_flight_landed} had landed)"),
            ("writes refused a connection after a kill", str(self.not_sent)),
            ("policies checked after restarts", str(self.policies_checked)),
            ("lost acknowledged writes", str(len(self.lost_writes))),
            ("unexplained objects", str(len(self.unexplained))),
            ("inconsistencies", str(len(self.inconsistencies))),
            ("most policies on one deployment", str(self.max_policies_per_deployment)),
        ]


def _writer(api_url: str, token: str, ledger: Ledger, own: list[str], *, stop: threading.Event, seed_: int) -> None:
    """One thread of the load: creates, patches and deletes policies and patches settings on its own deployments.

    No retries (`max_retries=0`): every write is sent once, so a 2xx is exactly one acknowledged write, and an
    error is exactly one write in flight.
    """
    rng = random.Random(seed_)
    sequence = 0
    with DataRobotClient(api_url, token, max_retries=0, timeout=10) as client:
        while not stop.is_set():
            deployment = rng.choice(own)
            with ledger.lock:
                live = [
                    pid
                    for pid, p in ledger.policies.items()
                    if p.deployment_id == deployment and not p.deleted and not p.maybe_deleted
                ]
                possible = len(live) + sum(1 for d, _ in ledger.maybe_created if d == deployment)
            sequence += 1
            roll = rng.random()
            try:
                if possible < MAX_POLICIES and roll < 0.35:
                    name = f"load-{seed_}-{sequence}"
                    try:
                        created = client.retraining_policies.create(
                            deployment, RetrainingPolicyCreate(name=name, action="create_model_package")
                        )
                    except APIStatusError:
                        raise
                    except APIError:
                        with ledger.lock:
                            ledger.maybe_created.append((deployment, name))
                        raise
                    with ledger.lock:
                        ledger.policies[created.id] = _Policy(deployment, name)
                        ledger.acknowledged["create"] += 1
                elif live and roll < 0.85:
                    policy_id = rng.choice(live)
                    value = f"v{seed_}-{sequence}"
                    policy = ledger.policies[policy_id]
                    policy.in_flight.append(value)
                    client.retraining_policies.update(deployment, policy_id, RetrainingPolicyUpdate(description=value))
                    with ledger.lock:
                        policy.in_flight.remove(value)
                        policy.description = value
                        ledger.acknowledged["patch"] += 1
                elif live and roll < 0.92:
                    policy_id = rng.choice(live)
                    policy = ledger.policies[policy_id]
                    policy.maybe_deleted = True
                    client.retraining_policies.delete(deployment, policy_id)
                    with ledger.lock:
                        policy.deleted, policy.maybe_deleted = True, False
                        ledger.acknowledged["delete"] += 1
                else:
                    value = rng.choice(ENVIRONMENTS)
                    with ledger.lock:
                        ledger.environment_in_flight.setdefault(deployment, []).append(value)
                    client.retraining_settings.update(
                        deployment, RetrainingSettingsUpdate(prediction_environment_id=value)
                    )
                    with ledger.lock:
                        ledger.environment_in_flight[deployment].remove(value)
                        ledger.environment[deployment] = value
                        ledger.acknowledged["settings"] += 1
            except APIStatusError as error:
                # A refusal is an answer, not a lost write (e.g. the five-policy limit after an in-flight create).
                with ledger.lock:
                    ledger.refused[f"{error.status_code}"] += 1
                if not stop.is_set() and error.status_code not in (409, 422):
                    raise
            except APIError as error:
                # Refused connections never sent a byte; anything else was cut by the kill mid-request.
                with ledger.lock:
                    if isinstance(error.__cause__, httpx.ConnectError):
                        ledger.not_sent += 1
                    else:
                        ledger.in_flight += 1
                return  # the server is gone: this thread's part of the load is over


def prepare(control: EmulatorControl, api_url: str, token: str, deployments: int) -> Ledger:
    ids = control.add_deployments(deployments)
    with DataRobotClient(api_url, token) as client:
        for deployment in ids:
            client.retraining_settings.update(
                deployment,
                RetrainingSettingsUpdate(
                    dataset_id=seed.DEMO_DATASET_ID, retraining_user_id=seed.DEMO_RETRAINING_USER_ID
                ),
            )
    ledger = Ledger(ids)
    for deployment in ids:
        ledger.environment[deployment] = None
    return ledger


# How long a load may run past its planned duration to reach its minimum of acknowledged writes on a busy machine.
LOAD_GRACE_SECONDS = 60.0


def load_and_kill(
    emulator: EmulatorProcess, ledger: Ledger, *, writers: int, seconds: float, seed_: int, min_acknowledged: int = 0
) -> tuple[float, list[BaseException]]:
    """Run `writers` threads against the ledger's deployments, SIGKILL the emulator after `seconds` and once at least
    `min_acknowledged` writes were acknowledged (so a loaded machine makes the load longer, not the proof weaker),
    join them."""
    stop = threading.Event()
    errors: list[BaseException] = []
    per_writer = max(1, len(ledger.deployments) // writers)

    def run(index: int) -> None:
        own = ledger.deployments[index * per_writer : (index + 1) * per_writer] or ledger.deployments
        try:
            _writer(emulator.api_url, emulator.token, ledger, own, stop=stop, seed_=seed_ * 100 + index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,), name=f"writer-{i}") for i in range(writers)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    grace_ends = time.monotonic() + LOAD_GRACE_SECONDS
    while time.monotonic() < grace_ends and not errors:
        with ledger.lock:
            if sum(ledger.acknowledged.values()) >= min_acknowledged:
                break
        time.sleep(0.05)
    emulator.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return time.monotonic() - began, errors


def verify(api_url: str, token: str, ledger: Ledger) -> CycleFigures:
    """After a restart: every acknowledged write present, nothing unexplained, the state consistent."""
    figures = CycleFigures(
        acknowledged=Counter(ledger.acknowledged), in_flight=ledger.in_flight, not_sent=ledger.not_sent
    )
    maybe_created = Counter(ledger.maybe_created)
    seen_ids: set[str] = set()
    with DataRobotClient(api_url, token) as client:
        for deployment in ledger.deployments:
            listed = list(client.retraining_policies.list(deployment))
            figures.max_policies_per_deployment = max(figures.max_policies_per_deployment, len(listed))
            if len(listed) > MAX_POLICIES:
                figures.inconsistencies.append(f"{deployment} has {len(listed)} policies")
            on_server: dict[str, Any] = {}
            for policy in listed:
                if policy.id in seen_ids or policy.id in on_server:
                    figures.inconsistencies.append(f"policy id {policy.id} listed twice")
                on_server[policy.id] = policy
                seen_ids.add(policy.id)
                try:
                    single = client.retraining_policies.get(deployment, policy.id)
                except APIError as error:
                    figures.inconsistencies.append(f"policy {policy.id} listed but not readable: {error}")
                    continue
                if (single.name, single.description) != (policy.name, policy.description):
                    figures.inconsistencies.append(f"policy {policy.id} reads differently from its list entry")
                figures.policies_checked += 1
            mine = {pid: p for pid, p in ledger.policies.items() if p.deployment_id == deployment}
            for pid, policy in mine.items():
                present = pid in on_server
                if policy.deleted and present:
                    figures.lost_writes.append(f"acknowledged delete of {pid} undone")
                elif not policy.deleted and not policy.maybe_deleted and not present:
                    figures.lost_writes.append(f"acknowledged create of {pid} ({policy.name}) lost")
                elif present:
                    have = on_server[pid].description
                    if have != policy.description:
                        if have in policy.in_flight:
                            figures.in_flight_landed += 1
                        else:
                            figures.lost_writes.append(
                                f"policy {pid}: description {have!r}, acknowledged {policy.description!r}"
                            )
                    if policy.maybe_deleted:
                        pass  # an in-flight delete that did not land
                elif policy.maybe_deleted:
                    figures.in_flight_landed += 1
            for pid, policy in on_server.items():
                if pid in mine:
                    continue
                if maybe_created[(deployment, policy.name)] > 0:
                    maybe_created[(deployment, policy.name)] -= 1
                    figures.in_flight_landed += 1
                else:
                    figures.unexplained.append(f"policy {pid} ({policy.name}) on {deployment} was never acknowledged")
            settings = client.retraining_settings.get(deployment)
            have_env = settings.prediction_environment.id if settings.prediction_environment else None
            want_env = ledger.environment.get(deployment)
            if have_env != want_env:
                if have_env in ledger.environment_in_flight.get(deployment, []):
                    figures.in_flight_landed += 1
                else:
                    figures.lost_writes.append(f"settings of {deployment}: {have_env!r}, acknowledged {want_env!r}")
            if settings.dataset is None or settings.dataset.id != seed.DEMO_DATASET_ID:
                figures.lost_writes.append(f"settings of {deployment}: dataset lost")
    return figures


def snapshot(api_url: str, token: str, deployments: list[str]) -> dict[str, Any]:
    """The raw state of some deployments, to compare after later crashes (nobody writes to them any more)."""
    state: dict[str, Any] = {}
    with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        for deployment in deployments:
            state[deployment] = {
                "policies": http.get(f"/deployments/{deployment}/retrainingPolicies/").json()["data"],
                "settings": http.get(f"/deployments/{deployment}/retrainingSettings/").json(),
            }
    return state


def crash_cycles(
    workdir: Path,
    token: str,
    *,
    cycles: int,
    writers: int = 4,
    deployments: int = 8,
    seconds: float = 1.0,
    seed_: int = 4,
    min_acknowledged_per_cycle: int = 0,
) -> CycleFigures:
    """`cycles` times: load, SIGKILL, restart on the same file, verify (earlier cycles' state must be unchanged)."""
    db = workdir / "emulator.db"
    log = workdir / "emulator.log"
    rng = random.Random(seed_)
    total = CycleFigures()
    settled: dict[str, Any] = {}
    emulator = EmulatorProcess(db, token, log).start()
    try:
        for cycle in range(cycles):
            assert emulator.control is not None
            ledger = prepare(emulator.control, emulator.api_url, token, deployments)
            elapsed, errors = load_and_kill(
                emulator,
                ledger,
                writers=writers,
                seconds=seconds * rng.uniform(0.6, 1.4),
                seed_=seed_ * 10 + cycle,
                min_acknowledged=min_acknowledged_per_cycle,
            )
            if errors:
                raise errors[0]
            emulator = EmulatorProcess(db, token, log).start()
            figures = verify(emulator.api_url, token, ledger)
            figures.kills, figures.load_seconds = 1, elapsed
            if settled and snapshot(emulator.api_url, token, list(settled)) != settled:
                figures.lost_writes.append(f"cycle {cycle}: the state of earlier cycles changed across the crash")
            settled.update(snapshot(emulator.api_url, token, ledger.deployments))
            total.merge(figures)
    finally:
        emulator.kill()
    return total
