"""`client.deployments`: the deployments the retraining settings and policies belong to (read only)."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Deployment
from ._http import Requester, api_path

__all__ = ["DeploymentsAPI"]


class DeploymentsAPI:
    """`/deployments/[{deploymentId}/]`."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    def list(self) -> Iterator[Deployment]:
        """Every deployment visible to the token's user, fetched page by page as the iterator is consumed."""
        return self._http.paginate(api_path("deployments"), Deployment)

    def get(self, deployment_id: str) -> Deployment:
        """One deployment; `NotFoundError` when it does not exist."""
        response = self._http.request("GET", api_path("deployments", deployment_id))
        return self._http.parse(response, Deployment)
