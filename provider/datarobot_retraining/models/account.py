"""Wire model of the token's own account (`GET account/info/`), the user a retraining user may default to."""

from __future__ import annotations

from .common import ResponseModel

__all__ = ["AccountInfo"]


class AccountInfo(ResponseModel):
    """Who the API token belongs to; `uid` is the id a retraining user is set with."""

    uid: str
    email: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def display_name(self) -> str:
        """The account as a person reads it: its email or username, else its id."""
        return self.email or self.username or self.uid
