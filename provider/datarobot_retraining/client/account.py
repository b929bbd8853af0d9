"""`client.account`: the account the API token belongs to."""

from __future__ import annotations

from ..models import AccountInfo
from ._http import Requester, api_path

__all__ = ["AccountAPI"]


class AccountAPI:
    """`/account/info/` (reference §1, discovery endpoints)."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    def info(self) -> AccountInfo:
        """The token's user (`uid`, `email`, names)."""
        return self._http.parse(self._http.request("GET", api_path("account", "info")), AccountInfo)
