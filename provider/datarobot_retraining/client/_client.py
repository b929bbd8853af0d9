"""`DataRobotClient`: configuration resolution and the API groups over one shared request loop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any

import httpx

from ..config import DEFAULT_ENDPOINT, ENV_ENDPOINT, ENV_TOKEN, missing_token, resolve_endpoint, resolve_token
from ..errors import ConfigurationError
from ._http import Requester
from .account import AccountAPI
from .deployments import DeploymentsAPI
from .retraining_policies import RetrainingPoliciesAPI
from .retraining_settings import RetrainingSettingsAPI
from .runs import RetrainingPolicyRunsAPI

__all__ = ["DEFAULT_ENDPOINT", "USER_AGENT", "DataRobotClient"]


def _package_version() -> str:
    try:
        return version("pulumi-datarobot-retraining")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


USER_AGENT = f"pulumi-datarobot-retraining/{_package_version()}"


class DataRobotClient:
    """A sync, thread-safe client for DataRobot's retraining API.

    Configuration: explicit arguments win, then `DATAROBOT_ENDPOINT` / `DATAROBOT_API_TOKEN`, then the default
    endpoint `https://app.datarobot.com/api/v2` (blank values count as unset; resolved by
    `datarobot_retraining.config`). Without a token, or with one holding a character no HTTP header can carry (a
    line break, NUL, control or non-ASCII character), the constructor raises `ConfigurationError`, before any
    request.

    `timeout` applies to every request (connect, read, write, pool), also through an injected `http_client`.
    Idempotent calls are retried up to `max_retries` times and for at most `max_retry_time` seconds in all;
    `Retry-After` waits are capped at `retry_after_cap`. POST is only retried when it certainly did not reach
    the server (see `datarobot_retraining.client._http`). One instance may be shared by many threads; close it
    (or use it as a context manager) to release its connections.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        max_retry_time: float = 120.0,
        retry_after_cap: float = 60.0,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        resolved_endpoint = _checked_endpoint(resolve_endpoint(endpoint, os.environ.get(ENV_ENDPOINT)))
        resolved_token = resolve_token((token, "the token argument"), (os.environ.get(ENV_TOKEN), ENV_TOKEN))
        if resolved_token is None:
            raise missing_token("pass token=...")
        if not timeout > 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}.")
        if max_retries < 0 or max_retry_time < 0 or retry_after_cap < 0:
            raise ConfigurationError("max_retries, max_retry_time and retry_after_cap must not be negative.")
        if http_client is not None and transport is not None:
            raise ConfigurationError("Pass either http_client or transport, not both.")
        self._http = Requester(
            endpoint=resolved_endpoint,
            token=resolved_token,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_time=max_retry_time,
            retry_after_cap=retry_after_cap,
            user_agent=USER_AGENT,
            http_client=http_client,
            transport=transport,
        )
        self.retraining_settings = RetrainingSettingsAPI(self._http)
        self.retraining_policies = RetrainingPoliciesAPI(self._http)
        self.retraining_policy_runs = RetrainingPolicyRunsAPI(self._http)
        self.deployments = DeploymentsAPI(self._http)
        self.account = AccountAPI(self._http)

    @property
    def endpoint(self) -> str:
        """The API base URL, without a trailing slash (e.g. `https://app.datarobot.com/api/v2`)."""
        return self._http.endpoint

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Escape hatch: any call relative to the endpoint, same retries and errors; the 2xx answer."""
        return self._http.request(method, path, json=json, params=params)

    def confirm_endpoint(self) -> None:
        """Check that the endpoint is the DataRobot API (`GET version/`, once per client); `WrongEndpointError`
        if it is not. The client does this by itself before it reports a first 404 as `NotFoundError`."""
        self._http.endpoint_check.confirm(self._http, "GET", "/version/")

    def close(self) -> None:
        """Release the connection pool (an injected `http_client` is left to its owner)."""
        self._http.close()

    def __enter__(self) -> DataRobotClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DataRobotClient(endpoint={self.endpoint!r})"


def _checked_endpoint(endpoint: str) -> str:
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"DataRobot endpoint {endpoint!r} is not a valid URL: {exc}.") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise ConfigurationError(
            f"DataRobot endpoint {endpoint!r} must be an http(s) URL such as {DEFAULT_ENDPOINT!r}."
        )
    if url.query or url.fragment or url.userinfo:
        # Credentials belong in the token, and a query would be lost when paths are appended.
        raise ConfigurationError(
            "DataRobot endpoint must be a plain base URL without credentials, query or fragment, "
            f"got one for host {url.host!r}."
        )
    return endpoint
