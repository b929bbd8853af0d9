"""What the control routes (``/_emulator``) do to the world, outside the real API: reset, health, clock, failures."""

from __future__ import annotations

from typing import Any

from . import lookups
from .clock import Clock
from .errors import UnprocessableError
from .orchestration import HEALTH_FIELDS, Orchestrator
from .seed import HEALTH_STATUSES, add_deployments, apply_seed, deployment_settings_doc, health
from .store import Store, Tx
from .variants import Variants

Doc = dict[str, Any]


class ControlPlane:
    """The operations tests and scripts drive the emulator with; each one that touches the store is a transaction."""

    def __init__(self, store: Store, orchestrator: Orchestrator) -> None:
        self.store = store
        self.orchestrator = orchestrator

    # -- lifecycle --
    def reset_in(self, tx: Tx, seed: str, deployments: int | None) -> None:
        """Wipe the world and load ``seed`` inside ``tx``: real time again, the default step length and variants."""
        tx.wipe()
        apply_seed(tx, seed, deployments=deployments)
        tx.meta_set("seed", seed)
        self.orchestrator.clock = Clock()
        tx.meta_set("clock", self.orchestrator.clock.state())
        self.orchestrator.step_seconds = self.orchestrator.default_step_seconds
        self.orchestrator.variants = self.orchestrator.default_variants

    def reset(self, seed: str = "demo", deployments: int | None = None) -> None:
        with self.store.transaction() as tx:
            self.reset_in(tx, seed, deployments)

    def tick(self) -> list[str]:
        """Advance runs and fire due schedules now; returns ids of runs started."""
        with self.store.transaction() as tx:
            return self.orchestrator.sync(tx)

    # -- deployments --
    def add_deployments(self, count: int, challengers_enabled: bool = True) -> list[str]:
        with self.store.transaction() as tx:
            return add_deployments(tx, count, challengers_enabled=challengers_enabled)

    def set_health(self, deployment_id: str, kind: str, status: str, message: str | None = None) -> list[str]:
        """Move a deployment's accuracy/drift/service health; decline policies react at once.

        Returns the ids of the runs started.
        """
        if kind not in HEALTH_FIELDS:
            raise UnprocessableError.from_errors({"kind": f"must be one of {', '.join(HEALTH_FIELDS)}"})
        if status not in HEALTH_STATUSES:
            raise UnprocessableError.from_errors({"status": f"must be one of {', '.join(HEALTH_STATUSES)}"})
        with self.store.transaction() as tx:
            started = self.orchestrator.sync(tx)
            deployment = lookups.deployment(tx, deployment_id)
            field = HEALTH_FIELDS[kind]
            old = deployment[field]["status"]
            deployment[field] = health(status) if message is None else {"status": status, "message": message}
            tx.obj_put("deployment", deployment_id, deployment)
            return started + self.orchestrator.fire_declines(tx, deployment_id, kind, old, status)

    def set_challengers_enabled(self, deployment_id: str, enabled: bool) -> None:
        with self.store.transaction() as tx:
            lookups.deployment(tx, deployment_id)
            settings = tx.obj_get("deploymentSettings", deployment_id) or deployment_settings_doc(False)
            settings["challengerModels"] = {**settings.get("challengerModels", {}), "enabled": enabled}
            tx.obj_put("deploymentSettings", deployment_id, settings)

    # -- clock --
    def clock_state(self) -> Doc:
        clock = self.orchestrator.clock
        return {
            "now": clock.now(),
            "frozen": clock.frozen_at is not None,
            "offset": clock.offset,
        }

    def advance_clock(self, seconds: float) -> list[str]:
        """Move the clock; schedules crossed are evaluated now (at most one run per policy).

        Returns the ids of the runs started.
        """
        with self.store.transaction() as tx:
            clock = self.orchestrator.clock  # read under the store's lock: a reset replaces it
            self.orchestrator.sync(tx)  # runs and ticks due *before* the jump happen at the old time
            clock.advance(seconds)
            tx.meta_set("clock", clock.state())
            if seconds < 0:
                self.orchestrator.recompute_next_fires(tx, clock.now())
            return self.orchestrator.sync(tx)

    def set_clock(self, epoch: float | None = None, frozen: bool | None = None) -> list[str]:
        with self.store.transaction() as tx:
            clock = self.orchestrator.clock  # read under the store's lock: a reset replaces it
            self.orchestrator.sync(tx)
            before = clock.now()
            if frozen is not None:
                clock.freeze(frozen)
            if epoch is not None:
                clock.set(epoch)
            tx.meta_set("clock", clock.state())
            if clock.now() < before:
                self.orchestrator.recompute_next_fires(tx, clock.now())
            return self.orchestrator.sync(tx)

    # -- runs --
    def fail_next_runs(self, count: int, message: str | None = None) -> None:
        with self.store.transaction() as tx:
            tx.meta_set("failNext", {"count": count, "message": message})

    @property
    def step_seconds(self) -> float:
        return self.orchestrator.step_seconds

    def set_step_seconds(self, seconds: float) -> None:
        """Step length of runs started from now on (runs in flight keep theirs)."""
        self.orchestrator.step_seconds = seconds

    # -- variants --
    @property
    def variants(self) -> Variants:
        return self.orchestrator.variants

    def set_variants(self, changes: dict[str, Any]) -> Variants:
        """Switch variants (`{wire name: choice}`) from now on; a reset returns to the start-up set."""
        self.orchestrator.variants = self.orchestrator.variants.changed(changes)
        return self.orchestrator.variants
