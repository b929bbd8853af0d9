"""The request loop behind every API group: send, retry with backoff, map statuses to errors, parse, paginate.

Retry policy (a control plane: a duplicated create is worse than a failed one):

    method                     connection never made     sent, no answer     408   429   502/503/504   other
    GET PATCH DELETE (+PUT..)  retry                     retry               retry retry retry         raise
    POST                       retry                     Ambiguous           raise retry Ambiguous     raise

"Connection never made" is httpx.ConnectError / ConnectTimeout / PoolTimeout: not one byte of the request left
this process, so repeating it cannot duplicate anything. PATCH is idempotent here because every PATCH this
client sends states absolute values (and a cancel of a cancelled run is reconciled by the runs API). Waits
honour `Retry-After` (seconds or HTTP date, capped), otherwise exponential backoff with full jitter; a call
stops retrying after `max_retries` retries or when the next wait would end past `max_retry_time` after the
call began.

`timeout` is a deadline for each attempt as a whole (connect to last byte, see `_deadline`), so one call lasts at
most `max_retry_time` plus one `timeout`. A list stops after `MAX_PAGES` pages, or as soon as a page links to a
next one although the items so far already make up the total it announced.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from ..errors import (
    AmbiguousRequestError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidIdError,
    ResponseValidationError,
    status_error_class,
)
from ..models.common import MAX_ID_LENGTH, Page
from ..redaction import TokenRedactor
from ._deadline import deadline, install
from ._endpoint_check import EndpointCheck

__all__ = [
    "AMBIGUOUS_POST_STATUSES",
    "IDEMPOTENT_METHODS",
    "INITIAL_BACKOFF",
    "MAX_BACKOFF",
    "MAX_PAGES",
    "RETRYABLE_STATUSES",
    "Requester",
    "api_path",
    "parse_retry_after",
]

logger = logging.getLogger("datarobot_retraining")

M = TypeVar("M", bound=BaseModel)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})
# A gateway answer to a POST says nothing about whether the upstream server acted on it.
AMBIGUOUS_POST_STATUSES = frozenset({502, 503, 504})
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
# A list longer than this is a server that never says "last page": 100,000 items at 100 a page, far beyond the
# five policies of a deployment or years of runs of one policy.
MAX_PAGES = 1_000

# Raised before any byte of the request was written: safe to repeat for every method.
_NEVER_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Our own mistakes (bad URL scheme, malformed header): repeating cannot help, and nothing was sent.
_NOT_RETRYABLE: tuple[type[Exception], ...] = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)

_MAX_SERVER_MESSAGE = 300
_MAX_BODY_TEXT = 4096
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def api_path(*segments: str) -> str:
    """`/a/b%2Fc/d/` from `("a", "b/c", "d")`: each segment URL-quoted, always with the trailing slash.

    Raises `InvalidIdError` (one sentence, nothing sent) for a segment that cannot name an object.
    """
    parts: list[str] = []
    for segment in segments:
        # An empty id would silently address the collection, and "." / ".." would be resolved away by URL
        # normalization and address a different object; both are caller bugs, refuse them before sending.
        if not isinstance(segment, str) or segment.strip() in {"", ".", ".."} or len(segment) > MAX_ID_LENGTH:
            where = "/" + "/".join([*parts, "…"]) + "/"
            shown = repr(segment) if len(str(segment)) <= 40 else f"a string of {len(segment):,} characters"
            raise InvalidIdError(
                f"Cannot use {shown} as an id in {where}: ids must be non-empty strings of at most "
                f'{MAX_ID_LENGTH} characters, and not "." or ".."; check the id given.'
            )
        parts.append(quote(segment, safe=""))
    return "/" + "/".join(parts) + "/"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (seconds or HTTP date); `None` if absent or unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "inf", "nan" and negative numbers parse as floats but are not delta-seconds.
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


class Requester:
    """Sends API calls with the retry policy above over one `httpx.Client`; safe to use from many threads.

    Per-call state lives in local variables only; the instance holds configuration and the client.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        token: str,
        timeout: float,
        max_retries: int,
        max_retry_time: float,
        retry_after_cap: float,
        user_agent: str,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._base = httpx.URL(endpoint + "/")
        # The redactor and httpx.Headers both mask their value in repr, so neither vars() nor a debugger dump
        # shows the token.
        self._scrub = TokenRedactor(token)
        self.endpoint_check = EndpointCheck()
        self._headers = httpx.Headers(
            {
                "Authorization": f"Bearer {token}",
                "User-Agent": user_agent,
                "Accept": "application/json",
            }
        )
        self.timeout = timeout
        self._timeout = httpx.Timeout(timeout)
        self.max_retries = max_retries
        self.max_retry_time = max_retry_time
        self.retry_after_cap = retry_after_cap
        self._owns_client = http_client is None
        # Our own client carries the headers and timeout, so a call does not merge them again each time (a
        # measurable share of the provider's per-call cost); an injected client gets them on every request.
        self._client = (
            http_client
            if http_client is not None
            else httpx.Client(transport=transport, timeout=self._timeout, follow_redirects=False, headers=self._headers)
        )
        install(self._client)
        self._per_request: dict[str, Any] = (
            {} if http_client is None else {"headers": self._headers, "timeout": self._timeout}
        )
        # Hooks replaced by tests so that retries cost no wall-clock time and jitter is predictable.
        self._sleep: Callable[[float], None] = time.sleep
        self._clock: Callable[[], float] = time.monotonic
        self._random: Callable[[], float] = random.random
        self._now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.max_pages = MAX_PAGES

    # -- lifecycle ------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool, unless the `httpx.Client` was handed in (its owner closes it)."""
        if self._owns_client:
            self._client.close()

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    # -- the loop -------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str | httpx.URL,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        check_endpoint: bool = True,
    ) -> httpx.Response:
        """Send `method path` (relative to the endpoint, or absolute on its origin) and return the 2xx answer.

        Raises the `APIError` the retry policy and the status table call for. A 404 is a `NotFoundError` only
        once the endpoint is known to be the DataRobot API (`EndpointCheck`; `check_endpoint=False` is for that
        check's own call); otherwise a `WrongEndpointError`.
        """
        method = method.upper()
        url, shown = self._resolve(path)
        idempotent = method in IDEMPOTENT_METHODS
        started = self._clock()
        retries = 0
        while True:
            try:
                with deadline(self.timeout):
                    response = self._client.request(
                        method, url, json=json, params=params, follow_redirects=False, **self._per_request
                    )
            except httpx.RequestError as exc:
                never_sent = isinstance(exc, _NEVER_SENT + _NOT_RETRYABLE)
                if not idempotent and not never_sent:
                    raise AmbiguousRequestError(
                        self._scrub(
                            f"{method} {shown} may or may not have been applied: {_describe(exc)} after the "
                            "request was sent; it was not repeated, check the server's state"
                        ),
                        method=method,
                        path=shown,
                    ) from exc
                error_class = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
                if not isinstance(exc, _NOT_RETRYABLE):
                    wait = self._backoff(retries)
                    if self._may_retry(retries, started, wait):
                        self._log_retry(method, shown, _describe(exc), wait, retries)
                        self._sleep(wait)
                        retries += 1
                        continue
                attempts = f" after {retries + 1} attempts" if retries else ""
                raise error_class(
                    self._scrub(f"{method} {shown} failed{attempts}: {self._unreachable(exc)}"),
                    method=method,
                    path=shown,
                ) from exc

            status = response.status_code
            if 200 <= status < 300:
                return response
            if not idempotent and status in AMBIGUOUS_POST_STATUSES:
                raise AmbiguousRequestError(
                    self._scrub(
                        f"{method} {shown} may or may not have been applied: a gateway answered {status} "
                        f"{response.reason_phrase}; it was not repeated, check the server's state"
                    ),
                    method=method,
                    path=shown,
                    status_code=status,
                )
            # 429 is retried for POST too: it is an explicit refusal by the server itself, which did not act
            # on the request. (A 408 might come from a proxy that forwarded part of it, and 5xx from a server
            # that acted.)
            if status == 429 or (idempotent and status in RETRYABLE_STATUSES):
                wait = self._retry_wait(response, retries)
                if self._may_retry(retries, started, wait):
                    self._log_retry(method, shown, f"{status} {response.reason_phrase}", wait, retries)
                    response.close()
                    self._sleep(wait)
                    retries += 1
                    continue
            if status == 404 and check_endpoint:
                self.endpoint_check.confirm(self, method, shown)
            raise self._status_error(method, shown, response)

    def _unreachable(self, exc: httpx.RequestError) -> str:
        # Name the host: "connection refused" alone does not say which of several endpoints was wrong.
        where = self._base.netloc.decode("ascii", errors="replace")
        if isinstance(exc, httpx.ConnectError):
            return f"could not connect to {where} ({_describe(exc)}); check the endpoint and that the server is up"
        return f"{_describe(exc)} (from {where})"

    def _may_retry(self, retries: int, started: float, wait: float) -> bool:
        # Give up rather than shorten a wait: retrying before the server's Retry-After only earns another
        # refusal.
        return retries < self.max_retries and (self._clock() - started) + wait <= self.max_retry_time

    def _backoff(self, retries: int) -> float:
        # Full jitter (AWS architecture blog): spreads out clients that failed together better than equal
        # jitter.
        return self._random() * min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0**retries)

    def _retry_wait(self, response: httpx.Response, retries: int) -> float:
        delay = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
        if delay is None:
            return self._backoff(retries)
        return min(delay, self.retry_after_cap)

    def _log_retry(self, method: str, path: str, reason: str, wait: float, retries: int) -> None:
        logger.debug(
            "%s %s: %s; retry %d of %d in %.2fs",
            method,
            path,
            self._scrub(reason),
            retries + 1,
            self.max_retries,
            wait,
        )

    # -- URLs -----------------------------------------------------------------------------------------------

    def _resolve(self, path: str | httpx.URL) -> tuple[str | httpx.URL, str]:
        """The URL to send to, and the path errors show (relative to the API base, without the query)."""
        if isinstance(path, httpx.URL) or str(path).startswith(("http://", "https://")):
            url = httpx.URL(str(path))
            if not self.same_origin(url):
                raise ValueError(f"refusing to send the API token to {url.scheme}://{url.netloc.decode()}")
            return url, self._display_path(url)
        relative = str(path)
        if not relative.startswith("/"):
            relative = "/" + relative
        # DataRobot's paths officially end in "/"; without it some servers redirect, which we do not follow.
        query = ""
        if "?" in relative:
            relative, query = relative.split("?", 1)
            query = "?" + query
        if not relative.endswith("/"):
            relative += "/"
        # A plain string: httpx parses it once when it builds the request (an httpx.URL here would parse twice).
        return self.endpoint + relative + query, relative

    def same_origin(self, url: httpx.URL) -> bool:
        """True when `url` has the endpoint's scheme, host and port (the only place the token may go)."""
        return (url.scheme, url.host, url.port) == (self._base.scheme, self._base.host, self._base.port)

    def _display_path(self, url: httpx.URL) -> str:
        # Errors show the path relative to the API base, without the query: short, and the same for every
        # page.
        path = url.raw_path.decode("ascii").split("?", 1)[0]
        base = self._base.raw_path.decode("ascii").rstrip("/")
        if base and path.startswith(base + "/"):
            path = path[len(base) :]
        return path

    # -- answers --------------------------------------------------------------------------------------------

    def parse(self, response: httpx.Response, model: type[M]) -> M:
        """The 2xx body as `model`, or a one-line `ResponseValidationError` (never a pydantic traceback).

        pydantic parses and validates the bytes in one compiled step (about twice as fast as `json.loads` and then
        validating the dict, on every call a provider makes).
        """
        if is_empty(response):
            raise self._invalid(response, "an empty body where JSON was expected")
        # The error is raised outside the `except` block: a chained pydantic error would keep the raw body (which a
        # misbehaving proxy may fill with request headers, the token among them) as the new error's __context__.
        problem = ""
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            if any(error["type"] == "json_invalid" for error in exc.errors(include_url=False)):
                kind = response.headers.get("Content-Type", "no content type").split(";")[0].strip()
                problem = f"a body that is not JSON ({kind})"
            else:
                problem = f"an unexpected body ({_summarize(exc)})"
        raise self._invalid(response, problem)

    def json(self, response: httpx.Response) -> Any:
        """The 2xx body as JSON, or a `ResponseValidationError` saying what came instead."""
        if is_empty(response):
            raise self._invalid(response, "an empty body where JSON was expected")
        try:
            return response.json()
        except ValueError:
            pass  # raised below, outside the handler, so the decoder's error (holding the body) is not chained
        kind = response.headers.get("Content-Type", "no content type").split(";")[0].strip()
        raise self._invalid(response, f"a body that is not JSON ({kind})")

    def paginate(self, path: str, model: type[M], *, params: Mapping[str, Any] | None = None) -> Iterator[M]:
        """Lazily yield every item of a list endpoint, following `next` until it is null.

        A `next` on another origin (a proxy that rewrites the host still hands out its upstream's links) is
        followed on the endpoint instead: the same list, with the link's query (`offset`, `limit`), as the
        Terraform client does. The token never travels to that origin. A `next` that loops is refused.
        """
        url: str | httpx.URL = self._resolve(path)[0]
        seen: set[str] = set()
        received = 0
        while True:
            seen.add(str(url))
            response = self.request("GET", url, params=params)
            page = self.parse(response, Page[Any])
            received += len(page.data)
            for index, item in enumerate(page.data):
                problem = ""
                try:
                    parsed = model.model_validate(item)
                except ValidationError as exc:
                    problem = _summarize(exc)
                if problem:
                    # Outside the handler: see parse() for why the pydantic error must not be chained.
                    raise self._invalid(response, f"an unexpected item data[{index}] ({problem})")
                yield parsed
            if not page.next:
                return
            if page.total_count is not None and received >= page.total_count:
                raise self._invalid(
                    response,
                    f"a next page although the {received} items so far already make up the totalCount of "
                    f"{page.total_count} it announced (pagination that does not end)",
                )
            if len(seen) >= self.max_pages:
                raise self._invalid(
                    response,
                    f"a next page after {len(seen)} pages, the most a list may take (pagination that does not end)",
                )
            # Real servers send absolute URLs; joining also copes with a relative one.
            try:
                next_url = response.url.join(page.next)
            except httpx.InvalidURL:
                next_url = None
            if next_url is None:
                raise self._invalid(response, "a next page link that is not a valid URL")
            if not self.same_origin(next_url):
                next_url = response.request.url.copy_with(query=next_url.query or None)
            if str(next_url) in seen:
                raise self._invalid(response, "a next page it had already served (pagination loop)")
            url, params = next_url, None

    def _invalid(self, response: httpx.Response, what: str) -> ResponseValidationError:
        method = response.request.method
        shown = self._display_path(response.request.url)
        return ResponseValidationError(
            self._scrub(f"{method} {shown} answered {response.status_code} with {what}"),
            method=method,
            path=shown,
            status_code=response.status_code,
        )

    def _status_error(self, method: str, path: str, response: httpx.Response) -> APIStatusError:
        status = response.status_code
        # Redacted inside, before any cut: a token straddling a length limit would survive minus its tail.
        server_message, errors, body = _error_details(response, self._scrub)
        message = f"{method} {path} failed with {status}"
        message += f": {server_message}" if server_message else f" {response.reason_phrase}".rstrip()
        field_summary = "; ".join(f"{key}: {value}" for key, value in errors.items())
        if field_summary and field_summary != server_message:
            message += f" ({field_summary})"
        return status_error_class(status)(
            self._scrub(message),
            method=method,
            path=path,
            status_code=status,
            server_message=server_message,
            errors=errors,
            body=body,
        )


def is_empty(response: httpx.Response) -> bool:
    """True for a body with nothing to parse: no bytes, only whitespace, or JSON `null`."""
    content = response.content.strip()
    return not content or content == b"null"


def _describe(exc: Exception) -> str:
    detail = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {detail}" if detail else name


def _summarize(exc: ValidationError, limit: int = 3) -> str:
    problems = []
    for error in exc.errors()[:limit]:
        location = ".".join(str(part) for part in error["loc"]) or "body"
        problems.append(f"{location}: {error['msg']}")
    extra = exc.error_count() - limit
    if extra > 0:
        problems.append(f"and {extra} more")
    return "; ".join(problems)


def _one_line(text: str, limit: int = _MAX_SERVER_MESSAGE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """`{"trigger": {"type": ["bad"]}}` → `{"trigger.type": "bad"}`: one reason per dotted field path."""
    if isinstance(value, Mapping):
        flat: dict[str, str] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        if all(not isinstance(item, (Mapping, list)) for item in value):
            return {prefix or "body": _one_line("; ".join(str(item) for item in value))}
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "body": _one_line(str(value))}


def _error_details(response: httpx.Response, redact: TokenRedactor) -> tuple[str, dict[str, str], Any]:
    """(server message, field errors, body) from an error answer of any shape, including an HTML page.

    Everything is redacted before it is shortened.
    """
    try:
        body: Any = redact.value(response.json())
    except ValueError:
        text = redact(response.text)
        if "html" in response.headers.get("Content-Type", "").lower() or text.lstrip().startswith("<"):
            # A proxy's error page: its title ("502 Bad Gateway") is the message; the markup is noise.
            title = _HTML_TITLE.search(text)
            return (_one_line(title.group(1)) if title else ""), {}, text[:_MAX_BODY_TEXT]
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        return _one_line(first_line), {}, text[:_MAX_BODY_TEXT]

    if not isinstance(body, Mapping):
        return (_one_line(str(body)) if body is not None else ""), {}, body
    errors: dict[str, str] = {}
    message = body.get("message")
    if isinstance(message, (Mapping, list)):
        # The other real shape: `{"message": {"field": "reason"}}`.
        errors.update(_flatten(message))
        server_message = ""
    elif message is not None:
        server_message = _one_line(str(message))
    else:
        other = body.get("detail") or body.get("error") or body.get("errorName") or ""
        server_message = _one_line(str(other))
    if isinstance(body.get("errors"), (Mapping, list)):
        errors.update(_flatten(body["errors"]))
    if not server_message and errors:
        server_message = _one_line("; ".join(f"{key}: {value}" for key, value in errors.items()))
    return server_message, errors, body
