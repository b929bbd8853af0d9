"""`client.retraining_policy_runs`: start, list, read and cancel the runs of a retraining policy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from ..errors import ConflictError, ResponseValidationError
from ..models import RetrainingPolicy, RetrainingPolicyRun, RunOutcome, RunStatus
from ._http import Requester, api_path, is_empty

__all__ = ["RetrainingPolicyRunsAPI"]


class RetrainingPolicyRunsAPI:
    """`/deployments/{deploymentId}/retrainingPolicies/{policyId}/runs/[{runId}/]` (reference §2, 8-11)."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    def list(self, deployment_id: str, policy_id: str) -> Iterator[RetrainingPolicyRun]:
        """Every run of the policy, fetched page by page as the iterator is consumed."""
        return self._http.paginate(_runs_path(deployment_id, policy_id), RetrainingPolicyRun)

    def get(self, deployment_id: str, policy_id: str, run_id: str) -> RetrainingPolicyRun:
        """One run; `NotFoundError` when the deployment, policy or run does not exist."""
        response = self._http.request("GET", _run_path(deployment_id, policy_id, run_id))
        return self._http.parse(response, RetrainingPolicyRun)

    def start(self, deployment_id: str, policy_id: str, *, newest_before: str | None = None) -> RetrainingPolicyRun:
        """Start a run now (POST, no body) and return it.

        The answer's body is not documented: the emulator returns the new run, but an empty answer
        (200/202/204 with no body or `null`) is accepted too. Then the new run is looked up instead: the
        policy's `latestRun` (the server's own pointer to its newest run), or failing that the newest run in
        the list (one not started yet, else the latest `startTime`). `newest_before` is the id of the newest run
        seen before the POST (`newest_run_id`): a run found with that id is not the one started here, so it is
        never returned. The lookup is best effort if other clients start runs at the same moment. Like every
        POST, never retried once it may have reached the server (`AmbiguousRequestError`).
        """
        response = self._http.request("POST", _runs_path(deployment_id, policy_id))
        if not is_empty(response):
            return self._http.parse(response, RetrainingPolicyRun)
        newest = self._newest_run(deployment_id, policy_id)
        if newest is None or newest.id == newest_before:
            path = _runs_path(deployment_id, policy_id)
            raise ResponseValidationError(
                f"POST {path} answered {response.status_code} with an empty body and the policy "
                "lists no run started since",
                method="POST",
                path=path,
                status_code=response.status_code,
            )
        return newest

    def newest_run_id(self, deployment_id: str, policy_id: str) -> str | None:
        """The id of the policy's newest run (its `latestRun`, else the newest listed), `None` when it has none."""
        newest = self._newest_run(deployment_id, policy_id)
        return None if newest is None else newest.id

    def _newest_run(self, deployment_id: str, policy_id: str) -> RetrainingPolicyRun | None:
        # The server's own pointer first (one GET); the list only when the policy shows none.
        policy_response = self._http.request(
            "GET", api_path("deployments", deployment_id, "retrainingPolicies", policy_id)
        )
        latest = self._http.parse(policy_response, RetrainingPolicy).latest_run
        return latest if latest is not None else _newest(self.list(deployment_id, policy_id))

    def cancel(self, deployment_id: str, policy_id: str, run_id: str) -> RetrainingPolicyRun:
        """Cancel a run (PATCH `{"status": "cancelled"}`) and return it.

        Cancelling an already-cancelled run succeeds: the server answers 409, and when the run turns out to be
        cancelled that is the outcome asked for (it is also what a retried cancel whose first attempt landed
        sees). `ConflictError` otherwise, e.g. once the run succeeded, failed or is replacing the model.
        """
        path = _run_path(deployment_id, policy_id, run_id)
        try:
            response = self._http.request("PATCH", path, json={"status": RunStatus.CANCELLED.value})
        except ConflictError:
            run = self.get(deployment_id, policy_id, run_id)
            if run.outcome is RunOutcome.CANCELLED:
                return run
            raise
        return self._http.parse(response, RetrainingPolicyRun)


def _runs_path(deployment_id: str, policy_id: str) -> str:
    return api_path("deployments", deployment_id, "retrainingPolicies", policy_id, "runs")


def _run_path(deployment_id: str, policy_id: str, run_id: str) -> str:
    return api_path("deployments", deployment_id, "retrainingPolicies", policy_id, "runs", run_id)


def _newest(runs: Iterable[RetrainingPolicyRun]) -> RetrainingPolicyRun | None:
    def key(item: tuple[int, RetrainingPolicyRun]) -> tuple[bool, datetime, int]:
        index, run = item
        started = run.start_time or datetime.min.replace(tzinfo=timezone.utc)
        if started.tzinfo is None:
            started = started.replace(tzinfo=timezone.utc)
        # Not started yet sorts newest; ties go to the later position in the list.
        return (run.start_time is None, started, index)

    candidates = list(enumerate(runs))
    return max(candidates, key=key)[1] if candidates else None
