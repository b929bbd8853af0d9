"""What the emulator accepts at its edges: JSON that stays shallow, finite and in range, and control fields by name.

Every limit here is the emulator's choice (the public record of DataRobot is silent on them); each refusal is a 422
naming the field, so hostile input never reaches a handler that could answer 500 or store a value that cannot be
served back as standard JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .clock import parse_iso
from .errors import BadRequestError, UnprocessableError
from .schemas import _Checker

#: Deeper than any real body (a policy is 3 levels), and far enough from Python's recursion limit for every walk.
MAX_JSON_DEPTH = 32
#: RFC 7493 (I-JSON): integers beyond ±(2**53 - 1) do not survive every JSON parser.
MAX_SAFE_INTEGER = 2**53 - 1
#: The largest `offset` of a listing: beyond any real collection, and within SQLite's integers.
MAX_OFFSET = 2**31 - 1
#: The span the emulator's clock may be set to: within what datetime, SQLite and croniter can all represent.
EARLIEST_CLOCK = datetime(1970, 1, 1, tzinfo=timezone.utc).timestamp()
LATEST_CLOCK = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()

# Integer literals longer than this are not converted at all: Python refuses more than 4,300 digits (a ValueError
# json.loads would pass through), and none of this length can be in range anyway.
_LONGEST_INTEGER_LITERAL = 20


class _Oversized:
    """Stands in for an integer literal too long to convert, so the walk can name the field that carried it."""


_OVERSIZED = _Oversized()


def _integer(text: str) -> int | _Oversized:
    return int(text) if len(text) <= _LONGEST_INTEGER_LITERAL else _OVERSIZED


def parse_json(raw: bytes) -> Any:
    """A request body as JSON within the limits above; `{}` for an empty body.

    Raises BadRequestError (400) for bytes that are not JSON, UnprocessableError (422, naming the field) for JSON
    that is nested too deep, holds an integer out of the safe range, or a NaN or infinity.
    """
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw, parse_int=_integer)
    except RecursionError:
        raise UnprocessableError.from_errors({_deepest_field(raw): _too_deep()}) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequestError(f"Malformed JSON body: {exc}.") from exc
    errors = _out_of_limits(value)
    if errors:
        raise UnprocessableError.from_errors(errors)
    return value


def _too_deep() -> str:
    return f"is nested more than {MAX_JSON_DEPTH} levels deep"


def _out_of_limits(document: Any) -> dict[str, str]:
    """Field path → reason for every value beyond the limits; iterative, so depth alone cannot make it fail."""
    errors: dict[str, str] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        where = ".".join(path) or "body"
        if isinstance(value, (dict, list)):
            if len(path) >= MAX_JSON_DEPTH:
                errors.setdefault(path[0], _too_deep())  # the top-level field: a 32-part path helps nobody
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend(reversed([((*path, str(key)), item) for key, item in items]))  # popped in document order
        elif isinstance(value, float) and not math.isfinite(value):
            errors.setdefault(where, "must be a finite number (NaN and Infinity are not JSON numbers)")
        elif value is _OVERSIZED or (
            isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER
        ):
            errors.setdefault(where, f"must be an integer between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}")
    return errors


def _deepest_field(raw: bytes) -> str:
    """The top-level key under which `raw` first nests beyond the limit (`body` when there is no such key).

    Only used once json.loads has given up on the depth, so a plain scan (skipping strings) is affordable.
    """
    text = raw.decode("utf-8", errors="replace")
    depth, key, expect_key, index = 0, "body", False, 0
    in_object = text.lstrip().startswith("{")
    while index < len(text):
        char = text[index]
        if char == '"':
            end = index + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == 1 and expect_key:
                key, expect_key = text[index + 1 : end][:100], False
            index = end + 1
            continue
        if char in "[{":
            depth += 1
            expect_key = depth == 1 and char == "{"
            if depth > MAX_JSON_DEPTH:
                return key
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 1 and in_object:
            expect_key = True
        index += 1
    return key


class ControlFields(_Checker):
    """The fields of one control request, each read and checked by name; `done()` raises one 422 naming them all."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        if not isinstance(body, dict):
            raise UnprocessableError.from_errors({"body": "must be a JSON object"})
        self.body: dict[str, Any] = body

    def get(
        self,
        key: str,
        coerce: Callable[..., Any],
        *,
        required: bool = False,
        default: Any = None,
        **limits: Any,
    ) -> Any:
        """`coerce(key, value, **limits)` of the field; `default` (or "is required") when it is absent or null."""
        if self.body.get(key) is None:
            if required:
                self.fail(key, "is required")
            return default
        return coerce(key, self.body[key], **limits)

    def instant(self, key: str, epoch: float) -> None:
        """Refuse a clock time outside what the emulator can represent (and schedule)."""
        if not EARLIEST_CLOCK <= epoch < LATEST_CLOCK:
            self.fail(key, "would move the clock outside the years 1970 to 8999")

    def timestamp(self, key: str, value: Any) -> float | None:
        """An ISO-8601 timestamp as epoch seconds, within the clock's span."""
        try:
            epoch = parse_iso(value) if isinstance(value, str) else None
        except ValueError:
            epoch = None
        if epoch is None:
            self.fail(key, "must be an ISO-8601 timestamp such as 2025-01-01T00:00:00Z")
            return None
        self.instant(key, epoch)
        return epoch

    def done(self) -> None:
        self.raise_if_any()
