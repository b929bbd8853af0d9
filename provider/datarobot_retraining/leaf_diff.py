"""The diff algebra over leaf paths: a resource's desired state as leaves, and which leaves differ from the server's.

A leaf path names one unit of desired state a user can set, compare and remove: `"name"`, `"trigger.type"`. A
value that only means something whole is one leaf, however deep it is (`"trigger.schedule"`). Every resource
declares its leaf paths; the functions here work for any of them and make no API call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from datarobot_retraining.inputs._validation import contains_unknown

__all__ = [
    "MANAGED_FIELDS",
    "Comparison",
    "LeafEqual",
    "changed_leaves",
    "compared_by",
    "get_path",
    "holds_leaves",
    "leaves",
    "managed_list",
    "nest",
    "project",
    "removed_leaves",
    "same_leaf",
    "same_value",
]

#: The output that records which leaf paths the program sets (so a leaf it stops setting can be put back).
MANAGED_FIELDS = "managed_fields"

Comparison = Callable[[Any, Any], bool]
"""Whether one leaf's desired value and the server's are the same: (want, have) -> same?"""

LeafEqual = Callable[[str, Any, Any], bool]
"""Whether a leaf holds its desired value: (path, want, have) -> same?"""


# -- reading and building trees ----------------------------------------------------------------------------------


def get_path(tree: Mapping[str, Any] | None, path: str, default: Any = None) -> Any:
    """The value at a dotted path of nested dicts (`"trigger.type"`), or `default` where the path ends early."""
    node: Any = tree
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return node


@functools.lru_cache(maxsize=16)
def _leaf_tree(leaf_paths: tuple[str, ...]) -> dict[str, Any]:
    """The leaf paths as a nested dict ({"trigger": {"type": None, ...}}), so one walk visits them all."""
    tree: dict[str, Any] = {}
    for path in leaf_paths:
        node = tree
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = None
    return tree


def leaves(tree: Mapping[str, Any], leaf_paths: Sequence[str]) -> dict[str, Any]:
    """The leaves present in `tree` (explicit `None`s included), keyed by dotted path."""
    found: dict[str, Any] = {}

    def walk(shape: Mapping[str, Any], data: Mapping[str, Any], prefix: str) -> None:
        for key, below in shape.items():
            if key not in data:
                continue
            value = data[key]
            if below is None:
                found[prefix + key] = value
            elif isinstance(value, Mapping):
                walk(below, value, f"{prefix}{key}.")

    walk(_leaf_tree(tuple(leaf_paths)), tree, "")
    return found


def project(tree: Mapping[str, Any], leaf_paths: Sequence[str]) -> dict[str, Any]:
    """Every leaf of `leaf_paths`, nested as in the inputs, taken from `tree` (None where `tree` lacks it)."""

    def walk(shape: Mapping[str, Any], data: Any) -> dict[str, Any]:
        source = data if isinstance(data, Mapping) else {}
        return {
            key: (source.get(key) if below is None else walk(below, source.get(key))) for key, below in shape.items()
        }

    return walk(_leaf_tree(tuple(leaf_paths)), tree)


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of `leaves`: `{"trigger.type": "schedule"}` → `{"trigger": {"type": "schedule"}}`."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        node = tree
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return tree


def managed_list(paths: Iterable[str]) -> list[str]:
    """The `managed_fields` output for these leaf paths: each once, sorted, so the state does not churn."""
    return sorted(set(paths))


# -- comparing ---------------------------------------------------------------------------------------------------


def same_value(want: Any, have: Any) -> bool:
    """Equality that survives the engine's round trips: 5 == 5.0, dicts by key, lists in order.

    A boolean equals only the same boolean: `True` is not `1` and `False` is not `0` (nor `0.0`), although Python
    says they are, because a flag set to `True` where the server holds the number 1 is a real difference. A key
    missing from one dict equals an explicit `None` in the other.
    """
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have or (want == have and type(want) is type(have))
    if isinstance(want, int | float) and isinstance(have, int | float):
        return float(want) == float(have)
    if isinstance(want, Mapping) and isinstance(have, Mapping):
        keys = set(want) | set(have)
        return all(same_value(want.get(k), have.get(k)) for k in keys)
    if isinstance(want, list | tuple) and isinstance(have, list | tuple):
        return len(want) == len(have) and all(same_value(a, b) for a, b in zip(want, have, strict=True))
    return bool(want == have)


def same_leaf(_path: str, want: Any, have: Any) -> bool:
    """The default leaf equality: `same_value`, whatever the leaf."""
    return same_value(want, have)


def compared_by(comparisons: Mapping[str, Comparison], otherwise: LeafEqual = same_leaf) -> LeafEqual:
    """A leaf equality in which a leaf with a comparison of its own (`comparisons[path]`) uses it, any other
    `otherwise`."""

    def equal(path: str, want: Any, have: Any) -> bool:
        compare = comparisons.get(path)
        return compare(want, have) if compare is not None else otherwise(path, want, have)

    return equal


def holds_leaves(state: Mapping[str, Any], desired: Mapping[str, Any], equal: LeafEqual = same_leaf) -> bool:
    """Whether `state` holds every leaf of `desired` (a flat {path: value} dict), as `equal` compares them."""
    return all(equal(path, want, get_path(state, path)) for path, want in desired.items())


def changed_leaves(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    leaf_paths: Sequence[str],
    defaults: Mapping[str, Any],
    equal: LeafEqual = same_leaf,
) -> list[str]:
    """Leaves whose desired value differs from the state in `olds` (the previous *outputs*).

    A leaf the user sets is compared with the server's value. A leaf the user set before and removed now is a change
    back to the server default (`defaults`, else `None`), unless the server already holds that default. Leaves never
    set are not compared: server-filled values never show as a diff. An unknown desired value counts as a change (it
    may be one).
    """
    desired = leaves(news, leaf_paths)
    changed = [
        path for path, want in desired.items() if contains_unknown(want) or not equal(path, want, get_path(olds, path))
    ]
    changed += [
        path
        for path in removed_leaves(olds, desired, leaf_paths)
        if not equal(path, defaults.get(path), get_path(olds, path))
    ]
    return changed


def removed_leaves(olds: Mapping[str, Any], desired: Mapping[str, Any], leaf_paths: Sequence[str]) -> list[str]:
    """Leaves the user managed before (per the previous outputs' `managed_fields`) and no longer sets."""
    return [p for p in olds.get(MANAGED_FIELDS) or [] if p in leaf_paths and p not in desired]
