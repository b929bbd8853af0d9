"""Shared machinery of `check`: unknown-safe validation, and pydantic errors as property failures."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pulumi.output import Unknown
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, ValidationInfo
from pydantic_core import ErrorDetails

from datarobot_retraining.models.common import MAX_ID_LENGTH, int_if_integral

# The serialized-provider key the engine adds to every dynamic resource's properties.
PROVIDER_KEY = "__provider"
# What `pulumi.runtime.rpc` uses on the wire for an unknown; a test or caller may hand it to us raw.
_UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

_MAX_REASON = 500


class InputModel(BaseModel):
    """Base of every desired-state model: unknown keys are mistakes worth reporting, not data to keep."""

    # allow_inf_nan=False: NaN never equals itself, so a NaN input would show as a change on every `pulumi up`
    # (and neither it nor an infinity is JSON the API could take).
    # use_attribute_docstrings: a field's docstring is its description, which the generated SDK shows to users.
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        use_enum_values=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )


# DataRobot's ids are 24 hex digits; anything of URL-safe characters is accepted, so an id of another plausible
# form (a UUID, a test's "dep-1") still works, while one that cannot be a single URL path segment is refused here.
_ID = re.compile(rf"[A-Za-z0-9._~-]{{1,{MAX_ID_LENGTH}}}", re.ASCII)


def _usable_id(value: str, info: ValidationInfo) -> str:
    if _ID.fullmatch(value) is None or value in {".", ".."}:
        raise ValueError(
            f"{info.field_name} must be an id of 1 to {MAX_ID_LENGTH} letters, digits, '-', '_', '.' or '~' "
            f"(not '.' or '..'), got {_shown(value, 60)}"
        )
    return value


#: An id input (deployment, policy, dataset...): checked here so that no id reaches a URL it cannot be part of.
Id = Annotated[str, AfterValidator(_usable_id)]


@dataclass(frozen=True)
class Failure:
    """One check failure: the property path as Pulumi prints it, and a sentence a user understands."""

    property: str
    reason: str


def is_unknown(value: Any) -> bool:
    """True for a value that will only be known after apply (preview of a stack that creates its inputs)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == _UNKNOWN_SENTINEL)


def contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def split_unknowns(props: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    """Remove every unknown from `props`, returning the known part and the paths that were unknown.

    A list that contains an unknown is unknown as a whole: validating half a schedule would report nonsense.
    """
    unknown_paths: list[tuple[str, ...]] = []

    def strip(value: Mapping[str, Any], prefix: tuple[str, ...]) -> dict[str, Any]:
        known: dict[str, Any] = {}
        for key, item in value.items():
            path = (*prefix, key)
            if is_unknown(item) or (isinstance(item, list | tuple) and contains_unknown(item)):
                unknown_paths.append(path)
            elif isinstance(item, Mapping):
                known[key] = strip(item, path)
            else:
                known[key] = item
        return known

    return strip(props, ()), unknown_paths


def restore_unknowns(known: dict[str, Any], unknown_paths: Iterable[tuple[str, ...]]) -> dict[str, Any]:
    """Put an `Unknown` back at each path, so the engine still sees what is not known yet."""
    paths = list(unknown_paths)
    if not paths:
        return known  # the common case (everything known): no copy
    restored = copy.deepcopy(known)
    for path in paths:
        node = restored
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[path[-1]] = Unknown()  # type: ignore[no-untyped-call]
    return restored


def validation_failures(error: ValidationError, *, root: str) -> list[Failure]:
    """Turn pydantic's errors into one failure per property path, each with a plain-language reason."""
    failures: list[Failure] = []
    for detail in error.errors(include_url=False):
        path = property_path(detail["loc"], keep_last=detail["type"] == "extra_forbidden")
        reason = _reason(detail, root=root)
        # Validators quote the offending value at the end; a huge value must not make a huge message.
        failures.append(Failure(path, reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"))
    return failures


def property_path(loc: Iterable[int | str], *, keep_last: bool = False) -> str:
    """Format a location the way Pulumi names nested properties: `trigger.schedule.hour[0]`.

    `keep_last`: the last part is a key the user wrote (an unknown property), never a union member tag, even when it
    looks like one (`my-key`, `int`).
    """
    parts = list(loc)
    text = ""
    for index, part in enumerate(parts):
        if isinstance(part, int):
            text += f"[{part}]"
        elif _is_union_member_tag(part) and not (keep_last and index == len(parts) - 1):
            # pydantic adds the member type of a union to the location; users never wrote it.
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _is_union_member_tag(part: str) -> bool:
    return part in {"int", "str", "float", "bool", "none"} or "[" in part or "-" in part


def _reason(detail: ErrorDetails, *, root: str) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    name = property_path(detail["loc"], keep_last=kind == "extra_forbidden") or root
    if kind == "extra_forbidden":
        parent = property_path(detail["loc"][:-1]) or root
        return f"{detail['loc'][-1]} is not a property of {parent}; check the spelling"
    if kind == "missing":
        return f"{name} is required"
    if kind == "enum":
        allowed = ctx.get("expected", "")
        return f"{name} must be one of {allowed}, got {_shown(detail['input'])}"
    if kind == "value_error":
        message = str(ctx.get("error", detail["msg"]))
        return message
    if kind in {"string_too_long", "too_long"}:
        return f"{name} must be at most {ctx.get('max_length')} characters long"
    if kind in {"string_too_short", "too_short"}:
        return f"{name} must not be empty"
    got = _shown(int_if_integral(detail["input"]))
    if kind == "finite_number":
        return f"{name} must be a finite number, got {got}"
    if kind == "greater_than_equal":
        return f"{name} must be at least {int_if_integral(ctx.get('ge'))}, got {got}"
    if kind == "greater_than":
        return f"{name} must be greater than {int_if_integral(ctx.get('gt'))}, got {got}"
    if kind == "less_than_equal":
        return f"{name} must be at most {int_if_integral(ctx.get('le'))}, got {got}"
    if kind == "less_than":
        return f"{name} must be less than {int_if_integral(ctx.get('lt'))}, got {got}"
    if kind.startswith("bool"):
        return f"{name} must be true or false, got {_shown(detail['input'])}"
    if kind.startswith(("int", "float")):
        return f"{name} must be a number, got {_shown(detail['input'])}"
    if kind.startswith("string"):
        return f"{name} must be a string, got {_shown(detail['input'])}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{name} must be an object with named properties, got {_shown(detail['input'])}"
    if kind == "list_type":
        return f"{name} must be a list, got {_shown(detail['input'])}"
    return f"{name}: {detail['msg']}"


def non_finite_paths(value: Any, path: str) -> list[str]:
    """Where NaN or an infinity hides inside arbitrary JSON-like data, as property paths (`triggers.a[1]`)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [path]
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in non_finite_paths(item, f"{path}.{key}")]
    if isinstance(value, list | tuple):
        return [found for index, item in enumerate(value) for found in non_finite_paths(item, f"{path}[{index}]")]
    return []


def _shown(value: Any, limit: int = 120) -> str:
    # Pulumi prints the whole value next to the reason already; a 10,000-character string need not appear twice.
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def renormalize(value: Any) -> Any:
    """Undo what an engine round trip does to checked inputs: every number comes back as a float.

    `create`, `update` and `diff` receive inputs that `check` already validated and normalized; the only change on
    the way is protobuf's numbers, so restoring integral floats to ints is all they need (validating again would
    cost more than the rest of the provider's work together).
    """
    if isinstance(value, float):
        return int_if_integral(value)
    if isinstance(value, dict):
        return {key: renormalize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [renormalize(item) for item in value]
    return value


_ISO_DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)


def is_iso8601_duration(text: str) -> bool:
    return bool(_ISO_DURATION.match(text))
