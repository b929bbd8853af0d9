"""The error tree of the DataRobot retraining client, provider and CLI; one table maps HTTP status to error class.

    DataRobotError
    ├── ConfigurationError                  bad or missing endpoint, token or option; before any request
    ├── InvalidIdError                      an id that cannot name an object in a URL path; before any request
    ├── WaitTimeoutError                    a wait (`client.polling.poll`) reached its deadline first; callers reword it
    ├── ResourceOperationError              a provider operation failed: the one sentence `pulumi up` shows
    ├── CliError(message, exit_code)        a command failed: one line on stderr, an exit code (in `cli.session`)
    └── APIError(message, *, method, path)
        ├── APIConnectionError              no HTTP answer, and nothing was done (safe to repeat)
        │   └── APITimeoutError
        ├── AmbiguousRequestError           a POST may have been applied, no usable answer: reconcile
        ├── ResponseValidationError         a 2xx answer whose body we cannot use
        ├── WrongEndpointError              a 404 from something that is not the DataRobot API: nothing is gone
        └── APIStatusError                  the server answered with a non-2xx status
            ├── BadRequestError             400
            ├── AuthenticationError         401
            ├── PermissionDeniedError       403
            ├── NotFoundError               404
            ├── ConflictError               409
            ├── UnprocessableEntityError    422
            ├── RateLimitError              429
            └── InternalServerError         5xx
            (any other status: APIStatusError itself)

Every message is one sentence naming the method, the path relative to the API base (query excluded), the
status and the server's own words. The API token never appears in an error: the client scrubs it out of every
text it puts into one, including the server's message, because a misbehaving server or proxy may echo request
headers back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousRequestError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DataRobotError",
    "InternalServerError",
    "InvalidIdError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResourceOperationError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "WrongEndpointError",
    "status_error_class",
]


class DataRobotError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigurationError(DataRobotError):
    """The client or provider cannot be configured as asked (e.g. no API token); raised before any request."""


class InvalidIdError(DataRobotError, ValueError):
    """An id the client cannot put in a URL path (empty, "." or "..", or too long); nothing was sent.

    Also a `ValueError`, which is what it is to a caller that passed the id.
    """


class ResourceOperationError(DataRobotError):
    """A lifecycle operation of a resource failed; its text is the one sentence the user sees in `pulumi up`.

    The API error behind it, if any, is chained as `__cause__` for the details (shown with the traceback).
    """


class WaitTimeoutError(DataRobotError):
    """A wait reached its deadline before the state it waited for; `last` is the value it read last.

    Every caller turns it into its own sentence (what was awaited, on which object, what to do), so its text is
    only a fallback.
    """

    def __init__(self, last: Any, seconds: float) -> None:
        super().__init__(f"Gave up waiting after {seconds:g} s.")
        self.last = last
        self.seconds = seconds

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.last, self.seconds))


class APIError(DataRobotError):
    """A call to the DataRobot API failed; `method` and `path` say which one."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments break Exception's default pickling; errors cross process
        # boundaries (multiprocessing, dill in Pulumi dynamic providers), so rebuild from the instance state.
        return (_restore, (type(self), self.args, self.__dict__.copy()))


class APIConnectionError(APIError):
    """No HTTP answer arrived (DNS, refused connection, reset, ...) after the retries the method allows."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""


class AmbiguousRequestError(APIError):
    """A non-idempotent request (POST) may have been acted on, but no usable answer came back.

    Raised on a read error or timeout after the request was sent, a connection dropped mid-answer, or a
    502/503/504 gateway answer to a POST. The request is deliberately not repeated, because a duplicated
    create is worse than a failure: the caller must look at the server's state (e.g. list policies) to learn
    whether it happened.
    """

    def __init__(self, message: str, *, method: str, path: str, status_code: int | None = None) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code


class ResponseValidationError(APIError):
    """The server answered 2xx, but the body is not the JSON we expect (not JSON, HTML, missing keys...).

    On a POST this also means the server acted: treat it like `AmbiguousRequestError` when reconciling.
    """

    def __init__(self, message: str, *, method: str, path: str, status_code: int | None = None) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code = status_code


class WrongEndpointError(APIError):
    """The endpoint answered 404, but it does not answer `GET version/` as the DataRobot API does.

    Raised instead of `NotFoundError`: a web server at a wrong path (no `/api/v2`, `/api/v3`, `/api/v2` twice)
    answers 404 to everything, which must never be read as "the policy was deleted". Not a `NotFoundError` on
    purpose, so that no caller treating "not found" as "already gone" can catch it by accident. `endpoint` is the
    configured endpoint.
    """

    def __init__(self, message: str, *, method: str, path: str, endpoint: str) -> None:
        super().__init__(message, method=method, path=path)
        self.endpoint = endpoint


class APIStatusError(APIError):
    """The server answered with a non-2xx status.

    `server_message` is the server's own one-line message; `errors` the field → reason map of a validation
    error (from `{"errors": {...}}` or from `{"message": {...}}`); `body` the parsed JSON body (or the text
    when it is not JSON).
    """

    #: Used when a subclass is built by hand without a status (e.g. in tests); the client always passes one.
    default_status_code: int = 0

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status_code: int | None = None,
        server_message: str = "",
        errors: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status_code: int = status_code if status_code is not None else self.default_status_code
        self.server_message = server_message
        self.errors: dict[str, str] = dict(errors or {})
        self.body = body


class BadRequestError(APIStatusError):
    """400: the server could not understand the request."""

    default_status_code = 400


class AuthenticationError(APIStatusError):
    """401: the API token is missing, wrong or expired."""

    default_status_code = 401


class PermissionDeniedError(APIStatusError):
    """403: the token's user may not do this."""

    default_status_code = 403


class NotFoundError(APIStatusError):
    """404: the deployment, policy or run does not exist (or is not visible to this user)."""

    default_status_code = 404


class ConflictError(APIStatusError):
    """409: the current state forbids it (e.g. deleting a policy while one of its runs is in progress)."""

    default_status_code = 409


class UnprocessableEntityError(APIStatusError):
    """422: the body is well-formed but breaks a rule; `errors` names the fields."""

    default_status_code = 422


class RateLimitError(APIStatusError):
    """429: too many requests, still refused after the retries allowed."""

    default_status_code = 429


class InternalServerError(APIStatusError):
    """5xx: the server failed."""

    default_status_code = 500


def _restore(cls: type[APIError], args: tuple[Any, ...], state: dict[str, Any]) -> APIError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The class for a non-2xx status: the table above, any 5xx → InternalServerError, else APIStatusError."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)
