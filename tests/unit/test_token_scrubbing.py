"""The token is redacted from error texts without mangling the words around a short token."""

from __future__ import annotations

from datarobot_retraining.client import DataRobotClient


def test_a_short_token_is_redacted_only_where_it_stands_alone() -> None:
    with DataRobotClient("https://example.test/api/v2", "t") as client:
        scrub = client._http._scrub
        assert scrub("GET /deployments/x/ failed after 5 attempts") == "GET /deployments/x/ failed after 5 attempts"
        assert scrub("Authorization: Bearer t") == "Authorization: Bearer [REDACTED]"


def test_a_long_token_is_redacted_everywhere_even_inside_other_text() -> None:
    with DataRobotClient("https://example.test/api/v2", "secret-token-123") as client:
        assert client._http._scrub("xxsecret-token-123yy") == "xx[REDACTED]yy"
