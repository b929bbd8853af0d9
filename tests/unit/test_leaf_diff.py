"""The diff algebra over leaf paths, alone: which leaves a program sets, which differ, which return to a default."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi.output import Unknown

from datarobot_retraining.inputs.retraining_policy import POLICY_COMPARISONS, POLICY_LEAVES, POLICY_SERVER_DEFAULTS
from datarobot_retraining.leaf_diff import (
    MANAGED_FIELDS,
    changed_leaves,
    compared_by,
    get_path,
    holds_leaves,
    leaves,
    managed_list,
    nest,
    project,
    removed_leaves,
    same_leaf,
    same_value,
)

LEAVES = ("name", "trigger.type", "trigger.schedule", "options.flag", "options.count")


# -- same_value ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("want", "have"),
    [
        (True, 1),
        (1, True),
        (False, 0),
        (0, False),
        (False, 0.0),
        (True, 1.0),
        (True, "True"),
        (False, None),
        ({"flag": True}, {"flag": 1}),
        ([True, False], [1, 0]),
        ([1, 2], [2, 1]),
        ([1], [1, 1]),
        ({"a": 1}, {"a": 1, "b": 2}),
        (5, "5"),
        (0, None),
        ("", None),
    ],
)
def test_values_that_python_may_call_equal_but_a_server_holds_differently_are_different(want: Any, have: Any) -> None:
    assert not same_value(want, have)


@pytest.mark.parametrize(
    ("want", "have"),
    [
        (5, 5.0),
        (5.0, 5),
        (0.25, 0.25),
        (True, True),
        (False, False),
        (None, None),
        ("auto", "auto"),
        ({"a": 1, "b": [1, 2]}, {"b": [1.0, 2.0], "a": 1.0}),
        ({"a": None}, {}),
        ([1, 2], (1, 2)),
        ({"nested": {"flag": False}}, {"nested": {"flag": False}}),
    ],
)
def test_values_an_engine_round_trip_changes_in_form_only_are_the_same(want: Any, have: Any) -> None:
    assert same_value(want, have)
    assert same_value(have, want)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=10,
)


@given(json_values)
def test_every_value_is_the_same_as_itself(value: Any) -> None:
    assert same_value(value, value)


@given(json_values, json_values)
def test_same_value_does_not_depend_on_the_order_of_its_arguments(a: Any, b: Any) -> None:
    assert same_value(a, b) == same_value(b, a)


# -- leaves, nest, project, get_path ---------------------------------------------------------------------------


def test_leaves_takes_only_the_declared_leaves_and_keeps_explicit_nones() -> None:
    tree = {
        "name": "p",
        "trigger": {"type": None, "schedule": {"minute": [0], "hour": [0]}},
        "options": {"flag": False},
        "not_a_leaf": 1,
    }
    assert leaves(tree, LEAVES) == {
        "name": "p",
        "trigger.type": None,
        "trigger.schedule": {"minute": [0], "hour": [0]},
        "options.flag": False,
    }


def test_a_parent_that_is_not_an_object_holds_no_leaves() -> None:
    assert leaves({"trigger": None, "options": "x"}, LEAVES) == {}


def test_nest_undoes_leaves() -> None:
    flat = {"name": "p", "trigger.type": "schedule", "trigger.schedule": {"minute": [0]}, "options.count": 3}
    assert nest(flat) == {
        "name": "p",
        "trigger": {"type": "schedule", "schedule": {"minute": [0]}},
        "options": {"count": 3},
    }
    assert leaves(nest(flat), LEAVES) == flat


leaf_values = st.none() | st.booleans() | st.integers() | st.text(max_size=4)


@given(st.dictionaries(st.sampled_from(LEAVES), leaf_values))
def test_leaves_of_nest_is_the_identity_on_any_flat_desired_state(flat: dict[str, Any]) -> None:
    assert leaves(nest(flat), LEAVES) == flat


def test_project_gives_every_leaf_nested_with_none_where_the_tree_lacks_it() -> None:
    assert project({"name": "p", "trigger": {"type": "schedule"}, "extra": 1}, LEAVES) == {
        "name": "p",
        "trigger": {"type": "schedule", "schedule": None},
        "options": {"flag": None, "count": None},
    }
    assert project({"options": "not an object"}, LEAVES)["options"] == {"flag": None, "count": None}


def test_get_path_follows_dots_and_stops_where_the_tree_ends() -> None:
    tree = {"trigger": {"type": "schedule", "schedule": None}}
    assert get_path(tree, "trigger.type") == "schedule"
    assert get_path(tree, "trigger.schedule.minute", "absent") == "absent"
    assert get_path(tree, "options.flag") is None
    assert get_path(None, "name") is None


def test_managed_list_is_each_path_once_in_order() -> None:
    assert managed_list(["trigger.type", "name", "trigger.type"]) == ["name", "trigger.type"]


# -- changed_leaves and removed_leaves ---------------------------------------------------------------------------


def state(managed: list[str], **values: Any) -> dict[str, Any]:
    """Previous outputs: every leaf as the server holds it, and the leaves the program set."""
    return {**nest(values), MANAGED_FIELDS: managed}


def test_a_leaf_the_program_sets_is_compared_with_the_server_value() -> None:
    olds = state(["name", "options.flag"], name="p", **{"options.flag": True})
    assert changed_leaves(olds, {"name": "p", "options": {"flag": True}}, LEAVES, {}) == []
    assert changed_leaves(olds, {"name": "q", "options": {"flag": True}}, LEAVES, {}) == ["name"]


def test_true_set_where_the_server_holds_one_is_a_change() -> None:
    olds = state(["options.flag"], **{"options.flag": 1})
    assert changed_leaves(olds, {"options": {"flag": True}}, LEAVES, {}) == ["options.flag"]


def test_an_integral_float_after_an_engine_round_trip_is_no_change() -> None:
    olds = state(["options.count"], **{"options.count": 5})
    assert changed_leaves(olds, {"options": {"count": 5.0}}, LEAVES, {}) == []


def test_a_value_the_server_filled_in_is_never_a_change() -> None:
    olds = state(["name"], name="p", **{"options.count": 5, "trigger.type": "schedule"})
    assert changed_leaves(olds, {"name": "p"}, LEAVES, {}) == []


def test_an_unknown_desired_value_counts_as_a_change() -> None:
    olds = state(["name"], name="p")
    assert changed_leaves(olds, {"name": Unknown()}, LEAVES, {}) == ["name"]
    assert changed_leaves(olds, {"trigger": {"schedule": {"minute": [Unknown()]}}}, LEAVES, {}) == [
        "trigger.schedule",
        "name",
    ]


def test_a_leaf_no_longer_set_goes_back_to_its_default_unless_the_server_holds_it_already() -> None:
    defaults = {"options.count": 5}
    assert changed_leaves(state(["options.count"], **{"options.count": 7}), {}, LEAVES, defaults) == ["options.count"]
    assert changed_leaves(state(["options.count"], **{"options.count": 5.0}), {}, LEAVES, defaults) == []
    # Without a default, a removed leaf goes back to null.
    assert changed_leaves(state(["name"], name="p"), {}, LEAVES, defaults) == ["name"]
    assert changed_leaves(state(["name"], name=None), {}, LEAVES, defaults) == []


def test_removed_leaves_are_the_managed_ones_the_program_no_longer_sets() -> None:
    olds = state(["name", "options.flag", "gone.from.schema"])
    assert removed_leaves(olds, {"name": "p"}, LEAVES) == ["options.flag"]
    assert removed_leaves({}, {}, LEAVES) == []
    assert removed_leaves({MANAGED_FIELDS: None}, {}, LEAVES) == []


def test_a_leaf_with_its_own_comparison_uses_it_and_the_others_do_not() -> None:
    by_length = compared_by({"name": lambda want, have: len(want) == len(have)})
    assert by_length("name", "abc", "xyz")
    assert not same_leaf("name", "abc", "xyz")
    assert not by_length("trigger.type", True, 1)  # the others: same_value
    olds = state(["name", "trigger.type"], name="abc", **{"trigger.type": "a"})
    assert changed_leaves(olds, {"name": "xyz", "trigger": {"type": "b"}}, LEAVES, {}, by_length) == ["trigger.type"]


def test_holds_leaves_says_whether_a_server_object_is_the_desired_one() -> None:
    server = {"name": "p", "trigger": {"type": "schedule", "schedule": {"minute": [0], "hour": [0]}}}
    assert holds_leaves(server, {"name": "p", "trigger.type": "schedule"})
    assert not holds_leaves(server, {"name": "p", "options.flag": False})
    assert holds_leaves(server, {})
    anything = compared_by({"options.flag": lambda _want, _have: True})
    assert holds_leaves(server, {"name": "p", "options.flag": False}, anything)


# -- the policy's own declaration ----------------------------------------------------------------------------------


def test_two_schedules_that_fire_at_the_same_times_are_the_same_policy_leaf() -> None:
    written = {"minute": [0], "hour": [0, 12], "day_of_month": ["*"], "month": ["jan"], "day_of_week": ["*"]}
    reordered = {"minute": [0.0], "hour": [12, 0], "day_of_month": ["*"], "month": [1], "day_of_week": ["*"]}
    same = compared_by(POLICY_COMPARISONS)
    assert same("trigger.schedule", written, reordered)
    assert not same("trigger.schedule", written, {**reordered, "hour": [0]})
    # Only the schedule is compared that way (its field says `ComparedBy`); other leaves keep `same_value`.
    assert set(POLICY_COMPARISONS) == {"trigger.schedule"}
    assert not same("trigger.status_declines_to_warning", True, 1)


def test_every_policy_default_and_comparison_is_of_a_declared_leaf() -> None:
    assert set(POLICY_SERVER_DEFAULTS) <= set(POLICY_LEAVES)
    assert set(POLICY_COMPARISONS) <= set(POLICY_LEAVES)
