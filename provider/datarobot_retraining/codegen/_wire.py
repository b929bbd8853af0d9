"""Renders one wire-model module: strict request bodies and, for a policy, the tolerant answer, from Inputs models."""

from __future__ import annotations

import re

from datarobot_retraining.codegen._sdk import GENERATED, docstring, enums_used, nested_models
from datarobot_retraining.codegen._specs import WireSpec
from datarobot_retraining.codegen._types import Field, fields_of, stem
from datarobot_retraining.inputs._shape import NotInAnswer, NotSent, marker


def _sent(model: type) -> list[Field]:
    return [f for f in fields_of(model) if marker(f.info, NotSent) is None]


def _summary(doc: str | None) -> str:
    """What an object is, without the rules of its values (they are check's, not the wire's): "Partitioning and
    metric" of "Partitioning and metric: `holdout_pct` 0-98, ..."."""
    text = " ".join((doc or "").split())
    return re.split(r"[.:;]( |$)", text, maxsplit=1)[0]


def _request_field(field: Field, *, optional: bool) -> str:
    annotation = field.request()
    alias = f', Field(alias="{field.wire_name}")' if field.wire_name else ""
    if field.null_spelled_none or alias:
        validator = ", BeforeValidator(none_spelled_none)" if field.null_spelled_none else ""
        annotation = f"Annotated[{annotation}{' | None' if optional else ''}{validator}{alias}]"
        return f"    {field.name}: {annotation}{' = None' if optional else ''}"
    return f"    {field.name}: {annotation}{' | None = None' if optional else ''}"


def _response_field(field: Field) -> str:
    annotation = field.response()
    if field.required:
        return f"    {field.name}: {annotation}"
    if annotation == "ScheduleValues":  # already `list[...] | None`
        return f"    {field.name}: {annotation} = None"
    if field.null_spelled_none:
        return f"    {field.name}: Annotated[{annotation} | None, BeforeValidator(none_spelled_none)] = None"
    return f"    {field.name}: {annotation} | None = None"


def render_wire(spec: WireSpec) -> str:
    nested = nested_models(spec.inputs)
    enums = enums_used([spec.inputs, *nested])
    every = [*nested, spec.inputs]
    lines = [
        f'"""{spec.module_doc}"""',
        "",
        GENERATED.format(source=spec.inputs.__name__),
        "",
        "from __future__ import annotations",
        "",
        "from typing import Annotated, Any",
        "",
        "from pydantic import BeforeValidator, Field",
        "",
        "from .common import IntOrFloat, RequestModel, ResponseModel, ScheduleValues, none_spelled_none",
    ]
    if enums:
        lines.append(f"from .enums import {', '.join(enums)}")
    if spec.answer_base is not None:
        lines.append(f"from {spec.answer_base[0]} import {spec.answer_base[1]}")
    public = [stem(m) for m in nested] + [spec.update_name]
    if spec.create_name:
        public.append(spec.create_name)
    if spec.answer_name:
        public += [f"{stem(m)}State" for m in nested] + [spec.answer_name]
    lines += ["", "__all__ = [", *[f'    "{name}",' for name in sorted(public)], "]", "", ""]
    lines += [
        "# " + "-" * 106,
        '# Request side: strict (extra="forbid"); enum fields take the enum or its string value; no ranges (those are',
        "# check's: the wire model must not refuse what a real server might accept).",
        "# " + "-" * 106,
        "",
        "",
    ]
    for model in every:
        name = spec.update_name if model is spec.inputs else stem(model)
        doc = spec.update_doc if model is spec.inputs else f"{_summary(model.__doc__)} (request body)."
        lines += [f"class {name}(RequestModel):", *docstring(doc), ""]
        lines += [_request_field(f, optional=not f.pydantic_required) for f in _sent(model)]
        lines += ["", ""]
    if spec.create_name:
        lines += [f"class {spec.create_name}({spec.update_name}):", *docstring(spec.create_doc), ""]
        lines += [_request_field(f, optional=False) for f in _sent(spec.inputs) if f.required]
        lines += ["", ""]
    if spec.answer_name:
        lines += [
            "# " + "-" * 106,
            "# Response side: tolerant (extra keys kept, enum-like values as plain `str`, `5.0` as `5`, a bare scalar",
            "# schedule value as a list, missing keys -> None).",
            "# " + "-" * 106,
            "",
            "",
        ]
        for model in every:
            if model is spec.inputs:
                base = spec.answer_base[1] if spec.answer_base else "ResponseModel"
                head, doc = f"class {spec.answer_name}({base}):", spec.answer_doc
            else:
                head, doc = (
                    f"class {stem(model)}State(ResponseModel):",
                    f"{_summary(model.__doc__)}, as the server echoes it.",
                )
            lines += [head, *docstring(doc), ""]
            lines += [_response_field(f) for f in _sent(model) if marker(f.info, NotInAnswer) is None]
            lines += ["", ""]
    return "\n".join(lines).rstrip() + "\n"
