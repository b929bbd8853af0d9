"""Whether the endpoint is the DataRobot API: asked once per client (`GET version/`), before a 404 is believed."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    InternalServerError,
    RateLimitError,
    WrongEndpointError,
)

if TYPE_CHECKING:
    from ._http import Requester

VERSION_PATH = "version"
EXPECTED_FORM = "https://<host>/api/v2"


class EndpointCheck:
    """Remembers, for one client, whether its endpoint answered `GET version/` as the DataRobot API does.

    The question is asked lazily, the first time an answer would be read as "gone" (a 404), so the calls of a
    healthy lifecycle cost nothing extra: one GET per client (one per provider process, one per CLI command) and
    only if some 404 comes. A definite answer is kept (the endpoint does not change); a failure to ask (no
    connection, 5xx, rate limited) is not, so the next 404 asks again.

    What counts as the DataRobot API (a choice where the public record is silent, see docs/reliability.md): a 2xx
    JSON object carrying `versionString` (a string) or `major` (an integer), as the reference's
    `{"major": 2, "minor": 49, "versionString": "2.49.0"}` does. Anything else (a 404, an HTML page, a 401) means
    the path is not the API's.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verdict: str | None = None  # "" once confirmed; otherwise what answered instead

    def confirm(self, requester: Requester, method: str, path: str) -> None:
        """Return if the endpoint is the DataRobot API; raise `WrongEndpointError` if it is not."""
        with self._lock:  # one question even when the engine's four workers meet a 404 at once
            if self._verdict is None:
                self._verdict = _ask(requester, method, path)
            verdict = self._verdict
        if verdict:
            raise WrongEndpointError(
                f"The endpoint {requester.endpoint} does not answer as the DataRobot API (GET version/ {verdict}), "
                "so a 404 from it does not show that anything is gone; set the endpoint to the API's base URL, of "
                f"the form {EXPECTED_FORM}.",
                method=method,
                path=path,
                endpoint=requester.endpoint,
            )


def _ask(requester: Requester, method: str, path: str) -> str:
    try:
        response = requester.request("GET", VERSION_PATH, check_endpoint=False)
    except (APIConnectionError, InternalServerError, RateLimitError) as error:
        raise APIError(
            f"{method} {path} answered 404, and checking that {requester.endpoint} is the DataRobot API failed "
            f"({str(error).rstrip('.')}), so nothing is concluded from the 404; try again.",
            method=method,
            path=path,
        ) from error
    except APIStatusError as error:
        return f"answered {error.status_code}"
    try:
        body: Any = response.json()
    except ValueError:
        return "answered with a body that is not JSON"
    if isinstance(body, dict) and (
        isinstance(body.get("versionString"), str) or (isinstance(body.get("major"), int) and body["major"] > 0)
    ):
        return ""
    return "answered JSON without a version"
