"""Shared wire-model machinery: strict request and tolerant response bases, references, pagination."""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = [
    "MAX_ID_LENGTH",
    "IntOrFloat",
    "NamedRef",
    "Page",
    "RequestModel",
    "ResponseModel",
    "ScheduleValues",
    "UserRef",
    "int_if_integral",
    "none_spelled_none",
]


#: The longest id the client puts in a URL path (DataRobot's ids are 24 characters); a longer one is a mistake, and
#: past ~65,000 characters httpx could not even build the URL.
MAX_ID_LENGTH = 128


class RequestModel(BaseModel):
    """Base of what we send: unknown keys are a bug in our code, so they are refused.

    Fields are snake_case in Python and camelCase on the wire. `to_wire()` keeps the difference between a field
    left unset (omitted: the server keeps or defaults it) and one set to `None` (sent as `null`: the server clears
    it).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        validate_assignment=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body: camelCase keys, explicitly set `None` kept as `null`, unset fields omitted."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class ResponseModel(BaseModel):
    """Base of what we receive: extra keys are kept and missing optional keys are `None`.

    Enum-like fields are typed `str` on purpose: a value the server adds tomorrow must not break parsing
    today.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, alias_generator=to_camel)


def int_if_integral(value: Any) -> Any:
    """`5.0` → `5`; anything else unchanged (servers send counts as JSON numbers, the engine sends every number as a
    float): callers get ints back, so comparisons, bodies and outputs stay ints."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


#: A number that is an `int` whenever the server's value is integral (`5.0` → `5`), else a `float`.
IntOrFloat = Annotated[int | float, BeforeValidator(int_if_integral)]


def _as_list(value: Any) -> Any:
    # A schedule field is an array; tolerate a server that sends a bare scalar such as "*".
    if value is None or isinstance(value, list):
        return value
    return [value]


#: The values of one schedule field (`["*"]`, `[0, 30]`, `["mon", "fri"]`); a bare scalar becomes a list.
ScheduleValues = Annotated[list[int | str] | None, BeforeValidator(_as_list)]


def none_spelled_none(value: Any) -> Any:
    """Manual-only is JSON null, but the Terraform provider sends (and some servers echo) the literal "None"."""
    return None if value == "None" else value


class NamedRef(ResponseModel):
    """A reference to another object, as the server embeds it: `{"id": ..., "name": ...}`."""

    id: str
    name: str | None = None


class UserRef(ResponseModel):
    """A reference to a user: `{"id": ..., "username": ...}`."""

    id: str
    username: str | None = None


T = TypeVar("T")


class Page(ResponseModel, Generic[T]):
    """The list envelope; `next` is the absolute URL of the following page, `None` on the last one."""

    data: list[T]
    count: int | None = None
    next: str | None = None
    previous: str | None = None
    total_count: int | None = None
