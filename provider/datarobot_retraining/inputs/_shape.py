"""The one declaration of a resource's shape: field markers on the Inputs models, and what is derived from them.

A resource's fields are written once, as a pydantic Inputs model (`inputs/retraining_*.py`). What else a field
needs to say (its server default, that it is one unit of desired state, that it is not part of the request body...)
is typed metadata on the same line: `Annotated[Action | None, ServerDefault(Action.CREATE_CHALLENGER)] = None`. From
those models come the leaf paths, the server defaults and the required keys (here), the wire models and the SDK's
typed surface (`python -m datarobot_retraining.codegen`, checked in, and tested to be up to date).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

# ---------------------------------------------------------------------------------------------------------------
# Field markers: `Annotated[<type>, Marker(...)]` on a field of an Inputs model.


@dataclass(frozen=True)
class ServerDefault:
    """What the server holds when the field was never set: a field the program stops setting returns to it."""

    value: Any


@dataclass(frozen=True)
class Unit:
    """One unit of desired state (a schedule, the periodicities): set, compared and removed whole, never by part."""


@dataclass(frozen=True)
class Required:
    """`check` reports the field missing (unless its value is unknown); a create body and the server's answer carry
    it."""


@dataclass(frozen=True)
class NotSent:
    """Not part of any request body: a path parameter (`deployment_id`) or an input only the provider reads."""


@dataclass(frozen=True)
class NotInAnswer:
    """The server's answer does not hold the field under its name (a policy's answer has `useCase {id, name}` for
    `use_case_id`): the tolerant response model leaves it out and the provider derives it."""


@dataclass(frozen=True)
class FilledByCheck:
    """`check` writes the default when the field is left out, so the state says what the provider will do."""


@dataclass(frozen=True)
class ReplacesOnChange:
    """A change of the field replaces the resource (a new object) instead of updating it in place."""


@dataclass(frozen=True)
class WireName:
    """The field's JSON key on the wire, when it is not the camelCase of its name."""

    name: str


@dataclass(frozen=True)
class ComparedBy:
    """The leaf's desired value and the server's are compared by `same(want, have)`, not by `leaf_diff.same_value`
    (two schedules are the same when they fire at the same times)."""

    same: Callable[[Any, Any], bool]


@dataclass(frozen=True)
class NullSpelledNone:
    """On the wire, null may be spelled as the string "None" (the Terraform provider sends it, servers echo it)."""


M = typing.TypeVar("M")


def marker(field: FieldInfo, kind: type[M]) -> M | None:
    """The field's marker of `kind`, if it has one."""
    for item in field.metadata:
        if isinstance(item, kind):
            return item
    return None


# ---------------------------------------------------------------------------------------------------------------
# What a field's type is, in the few kinds the wire and the SDK distinguish.

Kind = Literal["bool", "str", "int", "float", "number", "any", "enum", "values", "model", "models"]


@dataclass(frozen=True)
class Shape:
    """A field's type reduced to what the derived layers need: its kind, and the enum or model class if any."""

    kind: Kind
    of: type | None = None  # the Enum of "enum", the InputModel of "model" / "models" (a list of them)


def _bare(annotation: Any) -> Any:
    """The type under any `Annotated[...]` layers."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    """The members of a union (or the one type), each bare, without None."""
    annotation = _bare(annotation)
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [_bare(a) for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def shape_of(annotation: Any) -> Shape:
    """Classify a field annotation; a type outside the kinds below is a mistake in a model, said at import."""
    members = _members(annotation)
    if set(members) == {int, float}:
        return Shape("number")
    if len(members) == 1:
        (member,) = members
        simple: dict[Any, Kind] = {bool: "bool", str: "str", int: "int", float: "float", Any: "any"}
        if member in simple:
            return Shape(simple[member])
        if isinstance(member, type) and issubclass(member, Enum):
            return Shape("enum", member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            return Shape("model", member)
        if typing.get_origin(member) is list:
            (item,) = typing.get_args(member)
            items = _members(item)
            if set(items) == {int, str}:
                return Shape("values")
            if len(items) == 1 and isinstance(items[0], type) and issubclass(items[0], BaseModel):
                return Shape("models", items[0])
    raise TypeError(f"unsupported input field type {annotation!r}")


# ---------------------------------------------------------------------------------------------------------------
# Derived facts.


def sent_fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields that are desired state on the server (everything but `NotSent`), in declaration order."""
    return {name: field for name, field in model.model_fields.items() if marker(field, NotSent) is None}


@cache
def leaf_paths(model: type[BaseModel]) -> tuple[str, ...]:
    """Every unit of desired state a user can set, compare or remove, as dotted paths.

    At each level the plain fields come first, then each nested object's leaves; a `Unit` is one leaf.
    """
    flat: list[str] = []
    nested: list[str] = []
    for name, field in sent_fields(model).items():
        shape = shape_of(field.annotation)
        if shape.kind == "model" and marker(field, Unit) is None:
            assert shape.of is not None
            nested += [f"{name}.{path}" for path in leaf_paths(shape.of)]
        elif shape.kind == "models" and marker(field, Unit) is None:
            raise TypeError(f"{model.__name__}.{name}: a list of objects must be marked Unit()")
        else:
            flat.append(name)
    return (*flat, *nested)


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> dict[str, FieldInfo]:
    found: dict[str, FieldInfo] = {}
    for name, field in sent_fields(model).items():
        shape = shape_of(field.annotation)
        if shape.kind == "model" and marker(field, Unit) is None:
            assert shape.of is not None
            found.update(_leaf_fields(shape.of, f"{prefix}{name}."))
        else:
            found[prefix + name] = field
    return found


@cache
def server_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Leaf path → the server's create-time default (JSON value); a leaf not listed goes back to null."""
    defaults: dict[str, Any] = {}
    for path, field in _leaf_fields(model).items():
        default = marker(field, ServerDefault)
        if default is not None:
            defaults[path] = default.value.value if isinstance(default.value, Enum) else default.value
    return {path: defaults[path] for path in leaf_paths(model) if path in defaults}


@cache
def leaf_comparisons(model: type[BaseModel]) -> dict[str, Callable[[Any, Any], bool]]:
    """Leaf path → the comparison of a leaf marked `ComparedBy`; the others are compared by `same_value`."""
    found = {path: marker(field, ComparedBy) for path, field in _leaf_fields(model).items()}
    return {path: compared.same for path, compared in found.items() if compared is not None}


def fields_marked(model: type[BaseModel], kind: type[object]) -> tuple[str, ...]:
    """The model's top-level fields that carry a marker of `kind`, in declaration order."""
    return tuple(name for name, field in model.model_fields.items() if marker(field, kind) is not None)
