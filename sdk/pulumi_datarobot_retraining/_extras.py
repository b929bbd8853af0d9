"""Hand-written parts of the SDK that the generated resource modules build on: schedule helpers, `get`, LatestRun."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypedDict, TypeVar

import pulumi
import pulumi.dynamic

from datarobot_retraining.schedule import expand_cron, schedule_key_hint
from pulumi_datarobot_retraining._utilities import merge_id

#: One entry of a schedule field: a number, `"*"`, or a month or day name.
ScheduleValue = int | str

_Schedule = TypeVar("_Schedule", bound="ScheduleHelpers")
_Resource = TypeVar("_Resource", bound=pulumi.dynamic.Resource)


class ScheduleError(pulumi.RunError, ValueError):
    """A schedule that cannot be built as written. Under the engine its message shows alone, without a traceback."""


class ScheduleHelpers:
    """What `ScheduleArgs` adds to its generated fields: `from_cron`, and a misspelled key said in words."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # Runs before the dataclass __init__, whose TypeError for `minutes=` would not say what to write instead.
        # (Type checkers still check the keywords against __init__.)
        known = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        wrong = [key for key in kwargs if key not in known]
        if wrong:
            raise ScheduleError("; ".join(_misspelled_schedule_key(key, known) for key in wrong) + ".")
        return super().__new__(cls)

    @classmethod
    def from_cron(cls: type[_Schedule], expression: str) -> _Schedule:
        """The schedule of a five-field cron line, in UTC: `ScheduleArgs.from_cron("0 6 * * 1-5")` is weekdays at
        06:00. Ranges, steps, lists and names are expanded into the five lists (`day_of_week=[1, 2, 3, 4, 5]`);
        a field that is wrong raises ScheduleError naming it."""
        try:
            lists = expand_cron(expression)
        except ValueError as error:
            raise ScheduleError(f"ScheduleArgs.from_cron({expression!r}): {error}.") from None
        return cls(**lists)


def _misspelled_schedule_key(key: str, known: list[str]) -> str:
    hint = schedule_key_hint(key)
    if hint is None:
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"the closest field is {close[0]}" if close else f"its fields are {', '.join(known)}"
    return f"ScheduleArgs has no field {key!r}: {hint}"


class LatestRun(TypedDict):
    """The policy's newest run when it was last read (create, update or refresh)."""

    id: str
    status: str
    start_time: str | None
    finish_time: str | None
    project_id: str | None
    model_package_id: str | None
    challenger_id: str | None
    registered_model_id: str | None
    error_message: str | None
    use_case_id: str | None


def read_existing(
    cls: type[_Resource],
    provider: pulumi.dynamic.ResourceProvider,
    resource_name: str,
    id_: pulumi.Input[str],
    *,
    opts: pulumi.ResourceOptions | None,
    attributes: tuple[str, ...],
    known: Mapping[str, Any],
) -> _Resource:
    """A resource of `cls` that reads the existing object `id_` (the engine changes nothing): a resource's `get`."""
    resource = cls.__new__(cls)
    props: dict[str, Any] = {**dict.fromkeys(attributes), **known}
    pulumi.dynamic.Resource.__init__(resource, provider, resource_name, props, merge_id(opts, id_))
    return resource
