"""A typed client for the emulator's control routes (``/_emulator/...``): reset, clock, health, faults, requests."""

from __future__ import annotations

from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Literal, TypedDict

import httpx

HealthKind = Literal["accuracy", "data_drift", "service"]
HealthStatus = Literal["passing", "warning", "failing", "unknown", "unavailable"]


class RequestRecord(TypedDict):
    """One API request the emulator answered (control routes are not logged)."""

    method: str
    path: str
    status: int


class EmulatorControl:
    """Drive a running emulator from tests, benchmarks and scripts.

    ``base_url`` is the server root (``http://127.0.0.1:PORT``), not the ``/api/v2`` URL. Every method raises
    ``httpx.HTTPStatusError`` if the emulator refuses the request (unknown deployment, bad value).
    """

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/_emulator", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=body)
        response.raise_for_status()
        return None if response.status_code == 204 else response.json()

    # -- world --
    def reset(self, seed: str = "demo", *, deployments: int | None = None) -> None:
        """Wipe all state and load ``seed`` (``demo``, ``empty`` or ``scale``).

        Also resets the clock (real time, unfrozen), the run step length, pending run failures, faults and the
        request log.
        """
        self._call("POST", "/reset", {"seed": seed, "deployments": deployments})

    def seed(self, seed: str = "demo", *, deployments: int | None = None) -> None:
        """Same as ``reset``: ``seed("scale", deployments=100)`` is the demo world plus 100 deployments."""
        self.reset(seed, deployments=deployments)

    def add_deployments(self, count: int, *, challengers_enabled: bool = True) -> list[str]:
        """Create ``count`` more deployments (with generated ids); returns their ids."""
        result = self._call("POST", "/deployments", {"count": count, "challengersEnabled": challengers_enabled})
        return list(result["ids"])

    def set_health(
        self, deployment_id: str, kind: HealthKind, status: HealthStatus, message: str | None = None
    ) -> list[str]:
        """Set a deployment's ``accuracy`` / ``data_drift`` / ``service`` health.

        Decline policies of the matching kind are evaluated at once; returns the ids of the runs this started.
        """
        result = self._call(
            "POST",
            f"/deployments/{deployment_id}/health",
            {"kind": kind, "status": status, "message": message},
        )
        return list(result["startedRunIds"])

    def set_challengers_enabled(self, deployment_id: str, enabled: bool) -> None:
        """Switch the deployment setting ``challengerModels.enabled`` directly (no 202 dance)."""
        self._call("POST", f"/deployments/{deployment_id}/challengers", {"enabled": enabled})

    # -- clock --
    def now(self) -> datetime:
        """The emulator's current time (UTC)."""
        return _parse(self._call("GET", "/clock")["now"])

    def advance_clock(self, seconds: float) -> list[str]:
        """Move the clock forward; runs progress and schedules crossed fire (at most one run per policy).
        Returns the ids of the runs started."""
        return list(self._call("POST", "/clock/advance", {"seconds": seconds})["startedRunIds"])

    def set_clock(self, when: datetime, *, frozen: bool | None = None) -> list[str]:
        """Jump to ``when`` (naive = UTC); optionally freeze/unfreeze. Returns the ids of runs started."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        body = {"now": when.isoformat(), "frozen": frozen}
        return list(self._call("POST", "/clock", body)["startedRunIds"])

    def freeze_clock(self, frozen: bool = True) -> None:
        """Stop (or restart) the clock: while frozen, runs and schedules move only by ``advance_clock``."""
        self._call("POST", "/clock", {"frozen": frozen})

    def tick(self) -> list[str]:
        """Do what the background ticker does: advance runs, fire due schedules. Returns started run ids."""
        return list(self._call("POST", "/tick")["startedRunIds"])

    # -- runs --
    def fail_next_runs(self, count: int = 1, message: str | None = None) -> None:
        """The next ``count`` runs started (by any trigger) fail at the end of Autopilot with ``message``."""
        self._call("POST", "/runs/fail-next", {"count": count, "message": message})

    def set_step_seconds(self, seconds: float) -> None:
        """Length of each run step for runs started from now on."""
        self._call("POST", "/step-seconds", {"seconds": seconds})

    # -- variants --
    def variants(self) -> dict[str, str]:
        """The answers the emulator gives where the public record is silent (`{name: choice}`, see `variants.py`)."""
        return dict(self._call("GET", "/variants")["variants"])

    def set_variants(self, **changes: str) -> dict[str, str]:
        """Switch variants by their wire names (`set_variants(settingsCredential="echoed")`) until the next reset;
        returns them all."""
        return dict(self._call("POST", "/variants", changes)["variants"])

    # -- faults --
    def inject_fault(
        self,
        method: str,
        path_pattern: str,
        *,
        count: int = 1,
        status: int | None = None,
        retry_after: float | None = None,
        latency: float | None = None,
        drop_after_commit: bool = False,
        commit_delay: float | None = None,
        drip_interval: float | None = None,
    ) -> dict[str, Any]:
        """Arm a fault for the next ``count`` API requests matching ``method`` (or ``"*"``) and ``path_pattern``.

        ``path_pattern`` is a glob (``*`` also crosses ``/``) over the request path; a pattern without a leading
        ``/`` is relative to ``/api/v2/``, and a trailing ``/`` is optional on both sides.

        Effects: wait ``latency`` seconds; then answer ``status`` (plus ``Retry-After: retry_after``) without
        running the request; or with ``drop_after_commit`` run it (its change is committed) and cut the
        connection before the answer completes; or with ``commit_delay`` read the request, wait that long, then
        run it (a client that gave up meanwhile still sees its change committed); or with ``drip_interval`` run
        it and send the answer's body one byte every ``drip_interval`` seconds (the headers at once), stopping
        when the client hangs up.
        """
        body = {
            "method": method,
            "pathPattern": path_pattern,
            "count": count,
            "status": status,
            "retryAfter": retry_after,
            "latency": latency,
            "dropAfterCommit": drop_after_commit,
            "commitDelay": commit_delay,
            "dripInterval": drip_interval,
        }
        result: dict[str, Any] = self._call("POST", "/faults", body)
        return result

    def faults(self) -> list[dict[str, Any]]:
        """Faults still armed, with their remaining counts."""
        return list(self._call("GET", "/faults")["faults"])

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # -- request log --
    def requests(self) -> list[RequestRecord]:
        """Every API request since the last reset/clear, oldest first: ``{method, path, status}``."""
        return [
            RequestRecord(method=r["method"], path=r["path"], status=r["status"])
            for r in self._call("GET", "/requests")["requests"]
        ]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def health(self) -> bool:
        """True when the emulator answers."""
        try:
            return bool(self._call("GET", "/health")["status"] == "ok")
        except httpx.HTTPError:
            return False


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
