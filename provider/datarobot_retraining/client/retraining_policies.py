"""`client.retraining_policies`: list, read, create, update and delete a deployment's retraining policies."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import RetrainingPolicy, RetrainingPolicyCreate, RetrainingPolicyUpdate
from ._http import Requester, api_path

__all__ = ["RetrainingPoliciesAPI"]


class RetrainingPoliciesAPI:
    """`/deployments/{deploymentId}/retrainingPolicies/[{policyId}/]` (reference §2, rows 3-7)."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    def list(self, deployment_id: str) -> Iterator[RetrainingPolicy]:
        """Every policy of the deployment, fetched page by page as the iterator is consumed."""
        return self._http.paginate(api_path("deployments", deployment_id, "retrainingPolicies"), RetrainingPolicy)

    def get(self, deployment_id: str, policy_id: str) -> RetrainingPolicy:
        """One policy; `NotFoundError` when the deployment or the policy does not exist."""
        response = self._http.request("GET", _policy_path(deployment_id, policy_id))
        return self._http.parse(response, RetrainingPolicy)

    def create(self, deployment_id: str, body: RetrainingPolicyCreate) -> RetrainingPolicy:
        """Create a policy and return it as the server stored it (200 or 201).

        Never retried once the request may have reached the server: `AmbiguousRequestError` (or a
        `ResponseValidationError` on an unusable 2xx body) means the policy may exist; list policies to
        reconcile.
        """
        response = self._http.request(
            "POST", api_path("deployments", deployment_id, "retrainingPolicies"), json=body.to_wire()
        )
        return self._http.parse(response, RetrainingPolicy)

    def update(self, deployment_id: str, policy_id: str, body: RetrainingPolicyUpdate) -> RetrainingPolicy:
        """Change the fields set on `body` and return the updated policy.

        The server merges nested objects key by key: send whole nested objects with explicit `None`s for an
        exact state.
        """
        response = self._http.request("PATCH", _policy_path(deployment_id, policy_id), json=body.to_wire())
        return self._http.parse(response, RetrainingPolicy)

    def delete(self, deployment_id: str, policy_id: str) -> None:
        """Delete a policy (204, or 200).

        `ConflictError` while one of its runs is in progress. `NotFoundError` when it does not exist, which
        after a retried DELETE can mean an earlier attempt succeeded: callers deleting should treat it as
        done.
        """
        self._http.request("DELETE", _policy_path(deployment_id, policy_id))


def _policy_path(deployment_id: str, policy_id: str) -> str:
    return api_path("deployments", deployment_id, "retrainingPolicies", policy_id)
