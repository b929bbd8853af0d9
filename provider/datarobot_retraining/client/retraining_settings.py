"""`client.retraining_settings`: a deployment's retraining dataset, environment, user, credential."""

from __future__ import annotations

from ..models import RetrainingSettings, RetrainingSettingsUpdate
from ._http import Requester, api_path

__all__ = ["RetrainingSettingsAPI"]


class RetrainingSettingsAPI:
    """`/deployments/{deploymentId}/retrainingSettings/` (reference §2, rows 1-2)."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    def get(self, deployment_id: str) -> RetrainingSettings:
        """The deployment's retraining settings; unset references are `None`."""
        response = self._http.request("GET", api_path("deployments", deployment_id, "retrainingSettings"))
        return self._http.parse(response, RetrainingSettings)

    def update(self, deployment_id: str, body: RetrainingSettingsUpdate) -> None:
        """Set the fields set on `body` (`None` clears one); the server answers 204 with no body.

        The write shape (ids) differs from the read shape (objects): call `get` to see the result.
        """
        self._http.request("PATCH", api_path("deployments", deployment_id, "retrainingSettings"), json=body.to_wire())
