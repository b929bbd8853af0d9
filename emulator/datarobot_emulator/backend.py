"""The emulator assembled over one ``Store``: API rules, control plane, run orchestration, ticker; and start-up.

Start-up seeds an empty database, or restores the clock and the schedules of one that already holds a world.
"""

from __future__ import annotations

from .clock import Clock
from .control_plane import ControlPlane
from .orchestration import Orchestrator
from .rules import ApiRules
from .store import Store
from .ticker import Ticker
from .variants import Variants


class Backend:
    """``rules`` answer the real API, ``control_plane`` the control routes; both share ``orchestrator`` (the clock,
    the step length, run progress and triggers), which the ticker drives between requests."""

    def __init__(
        self,
        store: Store,
        *,
        step_seconds: float = 2.0,
        seed: str | None = "demo",
        seed_deployments: int | None = None,
        reset: bool = False,
        variants: Variants | None = None,
    ) -> None:
        self.store = store
        self.orchestrator = Orchestrator(step_seconds, variants)
        self.rules = ApiRules(store, self.orchestrator)
        self.control_plane = ControlPlane(store, self.orchestrator)
        self._ticker = Ticker(self.control_plane.tick)
        with store.transaction() as tx:
            if reset or tx.meta_get("seed") is None:
                # A file database that already holds a world keeps it: restarts must not lose state.
                self.control_plane.reset_in(tx, seed or "empty", seed_deployments)
            state = tx.meta_get("clock", {})
            self.orchestrator.clock = Clock(float(state.get("offset", 0.0)), state.get("frozenAt"))
            # Schedules do not catch up on ticks missed while the emulator was down; they resume from now.
            self.orchestrator.recompute_next_fires(tx, self.orchestrator.clock.now())

    def start_ticker(self, interval: float) -> None:
        """Tick every ``interval`` seconds on a daemon thread, so runs and schedules progress with nobody reading."""
        self._ticker.start(interval)

    def stop_ticker(self) -> None:
        self._ticker.stop()
