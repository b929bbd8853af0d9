"""The one `check` path of every resource, with its one rule for unknown values, and what create/update/diff get.

The rule for unknown values (a preview whose inputs come from resources not created yet): an unknown value is
neither validated, nor defaulted, nor reported missing, and it is handed back to the engine where it was. A list that
holds an unknown is unknown as a whole (half a schedule means nothing); an object with an unknown inside keeps its
known part, which is validated. A rule between fields (`_cross_field` of a resource) judges only fields it can know.

create, update and diff get check's output back from the engine, where only the numbers changed (protobuf carries
every number as a float): they restore integral floats to ints (`desired_state`) and never validate again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from datarobot_retraining.inputs._shape import FilledByCheck, Required, Unit, marker, shape_of
from datarobot_retraining.inputs._validation import (
    PROVIDER_KEY,
    Failure,
    InputModel,
    renormalize,
    restore_unknowns,
    split_unknowns,
    validation_failures,
)

#: Whether a dotted path's value is known (no unknown at, above or below it).
IsKnown = Callable[[str], bool]
#: A resource's rules between fields: (inputs, is_known) -> failures.
CrossField = Callable[[Mapping[str, Any], IsKnown], list[Failure]]


def check_inputs(
    news: Mapping[str, Any],
    model: type[InputModel],
    *,
    root: str,
    outputs: Collection[str] = (),
    cross_field: CrossField | None = None,
    explain: Callable[[Failure], Failure] | None = None,
) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize a resource's inputs against its Inputs model (`root` names it in failures).

    Output attributes handed in as None (`outputs`) are ignored. On a validation error the inputs come back as given,
    with every failure (`explain` may reword one) and the cross-field rules' too, so one preview shows every problem.
    Otherwise: the fields set, a `Unit` whole, `FilledByCheck` defaults written in, `Required` fields reported when
    missing, the cross-field rules, and the unknowns put back.
    """
    props = {k: v for k, v in news.items() if k != PROVIDER_KEY and not (k in outputs and v is None)}
    known, unknown_paths = split_unknowns(props)
    unknown = {".".join(path) for path in unknown_paths}
    unknown_roots = {path[0] for path in unknown_paths if len(path) == 1}

    def is_known(path: str) -> bool:
        return not any(path == u or path.startswith(u + ".") or u.startswith(path + ".") for u in unknown)

    try:
        validated = model.model_validate(known)
    except ValidationError as error:
        failures = validation_failures(error, root=root)
        if explain is not None:
            failures = [explain(failure) for failure in failures]
        return dict(news), failures + (cross_field(known, is_known) if cross_field is not None else [])

    normalized = validated.model_dump(mode="python", exclude_unset=True)
    _units_whole(validated, normalized)
    for name, field in model.model_fields.items():
        if marker(field, FilledByCheck) is not None and name not in normalized and name not in unknown_roots:
            normalized[name] = getattr(validated, name)
    failures = [
        Failure(name, f"{name} is required")
        for name, field in model.model_fields.items()
        if marker(field, Required) is not None and normalized.get(name) is None and name not in unknown_roots
    ]
    if cross_field is not None:
        failures += cross_field(normalized, is_known)
    result = restore_unknowns(normalized, unknown_paths)
    if PROVIDER_KEY in news:
        result[PROVIDER_KEY] = news[PROVIDER_KEY]
    return result, failures


def _units_whole(validated: BaseModel, dumped: dict[str, Any]) -> None:
    """A `Unit` object counts as set in every field (a schedule's omitted fields are "every"): dump it whole."""
    for name, field in type(validated).model_fields.items():
        value = getattr(validated, name)
        if name not in dumped or not isinstance(value, BaseModel):
            continue
        if marker(field, Unit) is not None:
            dumped[name] = value.model_dump(mode="python")
        else:
            _units_whole(value, dumped[name])


def desired_state(news: Mapping[str, Any], model: type[InputModel]) -> dict[str, Any]:
    """The checked inputs as create/update/diff receive them, numbers restored (`5.0` → `5`).

    A field typed `Any` (a run's `triggers`) is the user's own data and is kept exactly as it came.
    """
    return {
        key: value
        if key in model.model_fields and shape_of(model.model_fields[key].annotation).kind == "any"
        # renormalize, not a second validation: check already did it, and it would cost more than the rest together.
        else renormalize(value)
        for key, value in news.items()
    }
