"""Turns the SDK's Args objects, plain dicts and enums into the snake_case property bag the engine sends."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import pulumi


def to_props(value: Any) -> Any:
    """Convert an argument to engine properties: Args dataclasses and dicts become dicts without unset (None) keys.

    Outputs stay Outputs (resolved by the engine), with their eventual value converted the same way.
    """
    if isinstance(value, pulumi.Output):
        return value.apply(to_props)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_props(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if getattr(value, field.name) is not None
        }
    if isinstance(value, Mapping):
        return {str(key): to_props(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [to_props(item) for item in value]
    return value


def merge_id(opts: pulumi.ResourceOptions | None, id_: pulumi.Input[str]) -> pulumi.ResourceOptions:
    """Options that make the engine read an existing object instead of creating one."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id_))


def resource_props(
    resource_type: str,
    resource_name: str,
    args: object | None,
    keywords: Mapping[str, Any],
    *,
    required: Sequence[str],
    attributes: Sequence[str],
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The property bag a resource registers: the fields of `args`, overridden by the keywords given, unset ones
    dropped; `defaults` for what is still unset; and every attribute present (as None when unset) so the engine
    fills it from the outputs. A missing required input is a TypeError at declaration, not a failure at apply."""
    given: dict[str, Any] = to_props(args) if args is not None else {}
    given.update(to_props(dict(keywords)))
    for key, value in (defaults or {}).items():
        given.setdefault(key, value)
    for key in required:
        if key not in given:
            raise TypeError(f"{resource_type} {resource_name!r} needs {key}")
    return {**dict.fromkeys(attributes), **given}


def refuse_import(
    resource_type: str, resource_name: str, opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions | None:
    """The options unchanged, unless they ask to import: the engine then reads the resource without its serialized
    provider and fails with `KeyError: '__provider'` (pulumi#16175, seen under the real engine), so say what works."""
    if opts is not None and opts.import_ is not None:
        raise ValueError(
            f"{resource_type} {resource_name!r} cannot be imported with ResourceOptions(import_=...): Pulumi cannot "
            "import dynamic resources; declare it with the same name and adopt_existing=True instead, and the first "
            "`pulumi up` takes the existing object under management."
        )
    return opts
