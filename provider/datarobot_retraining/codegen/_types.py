"""How one Inputs field is written in each derived layer: SDK input, SDK output, state shape, request, response."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic.fields import FieldInfo

from datarobot_retraining.inputs._shape import (
    NullSpelledNone,
    Required,
    ServerDefault,
    Shape,
    WireName,
    marker,
    shape_of,
)

#: Inputs model class name → the stem the derived classes are named from (`TriggerInputs` → `Trigger`).
INPUTS_SUFFIX = "Inputs"


def stem(model: type) -> str:
    name = model.__name__
    return name[: -len(INPUTS_SUFFIX)] if name.endswith(INPUTS_SUFFIX) else name


#: How the SDK's outputs and state shapes write a value that is not an object.
_SDK_PLAIN = {
    "bool": "bool",
    "str": "str",
    "enum": "str",
    "int": "int",
    "float": "float",
    "number": "float",
    "any": "Any",
    "values": "list[ScheduleValue]",
}


@dataclass(frozen=True)
class Field:
    """One field of an Inputs model, with what the renderers ask of it."""

    name: str
    info: FieldInfo

    @property
    def shape(self) -> Shape:
        return shape_of(self.info.annotation)

    @property
    def doc(self) -> str | None:
        return self.info.description

    @property
    def pydantic_required(self) -> bool:
        """No default at all (a periodicity's `time_steps`): required wherever the object is given."""
        return self.info.is_required()

    @property
    def required(self) -> bool:
        """`Required()`: check requires it; a create body and the server's answer always hold it."""
        return marker(self.info, Required) is not None

    @property
    def never_null(self) -> bool:
        """The value a program reads is never null: required, defaulted by the server or by the model, or an object
        (the server answers one for each)."""
        default = self.info.get_default(call_default_factory=True) if not self.pydantic_required else None
        return (
            self.pydantic_required
            or self.required
            or marker(self.info, ServerDefault) is not None
            or default is not None
            or self.shape.kind in {"model", "any"}
        )

    @property
    def null_spelled_none(self) -> bool:
        return marker(self.info, NullSpelledNone) is not None

    @property
    def wire_name(self) -> str | None:
        found = marker(self.info, WireName)
        return found.name if found is not None else None

    def _of(self) -> type:
        assert self.shape.of is not None
        return self.shape.of

    # -- the SDK ---------------------------------------------------------------------------------------------------
    def sdk_input(self) -> str:
        """The type a program passes (inside `pulumi.Input[...]`)."""
        kind = self.shape.kind
        if kind == "enum":
            return f"{self._of().__name__} | str"
        if kind == "values":
            return "list[pulumi.Input[ScheduleValue]]"
        if kind == "model":
            return f"{stem(self._of())}Args | {stem(self._of())}ArgsDict"
        if kind == "models":
            return f"list[pulumi.Input[{stem(self._of())}Args | {stem(self._of())}ArgsDict]]"
        return {"bool": "bool", "str": "str", "int": "int", "float": "float", "number": "float", "any": "Any"}[kind]

    def sdk_output(self) -> str:
        """The type of the resource's output attribute (inside `pulumi.Output[...]`): objects are plain dicts."""
        objects = {"model": "dict[str, Any]", "models": "list[dict[str, Any]]"}
        base = objects.get(self.shape.kind) or _SDK_PLAIN[self.shape.kind]
        return base if self.never_null else f"{base} | None"

    def sdk_state(self) -> str:
        """The type in the state shape TypedDicts (`TriggerState`...)."""
        kind = self.shape.kind
        if kind in {"model", "models"}:
            state = f"{stem(self._of())}State"
            base = state if kind == "model" else f"list[{state}]"
        else:
            base = _SDK_PLAIN[kind]
        return base if self.pydantic_required or self.info.default_factory is not None else f"{base} | None"

    # -- the wire --------------------------------------------------------------------------------------------------
    def request(self) -> str:
        """The strict request type: enums checked, no ranges (those are check's; a real server may accept more)."""
        kind = self.shape.kind
        if kind == "enum":
            return self._of().__name__
        if kind == "model":
            return stem(self._of())
        if kind == "models":
            return f"list[{stem(self._of())}]"
        return {
            "bool": "bool",
            "str": "str",
            "int": "int",
            "float": "float",
            "number": "int | float",
            "any": "Any",
            "values": "list[int | str]",
        }[kind]

    def response(self) -> str:
        """The tolerant response type: enum-like values as plain `str`, `5.0` as `5`, a bare scalar as a list."""
        kind = self.shape.kind
        if kind == "model":
            return f"{stem(self._of())}State"
        if kind == "models":
            return f"list[{stem(self._of())}State]"
        return {
            "bool": "bool",
            "str": "str",
            "enum": "str",
            "int": "IntOrFloat",
            "float": "float",
            "number": "IntOrFloat",
            "any": "Any",
            "values": "ScheduleValues",
        }[kind]


def fields_of(model: type) -> list[Field]:
    from pydantic import BaseModel

    assert issubclass(model, BaseModel)
    return [Field(name, info) for name, info in model.model_fields.items()]
