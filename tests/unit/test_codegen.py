"""The generated SDK and wire models are what the Inputs models give now, and the derived facts match the models."""

from __future__ import annotations

import pytest

from datarobot_retraining import codegen
from datarobot_retraining.inputs._shape import leaf_paths, server_defaults
from datarobot_retraining.inputs.retraining_policy import RetrainingPolicyInputs
from datarobot_retraining.models import RetrainingPolicy, RetrainingPolicyUpdate, RetrainingSettingsUpdate
from pulumi_datarobot_retraining import RetrainingPolicyArgs, RetrainingSettingsArgs
from pulumi_datarobot_retraining.retraining_policy import _INPUTS


def test_regenerating_changes_nothing() -> None:
    # A field added to an Inputs model without `make sdk` fails here, naming the files to regenerate.
    assert codegen.stale() == []


def test_check_mode_reports_a_stale_file(monkeypatch: pytest.MonkeyPatch) -> None:
    files = codegen.rendered()
    path, text = next(iter(files.items()))
    monkeypatch.setattr(codegen, "rendered", lambda: {path: text + "# edited by hand\n"})
    assert codegen.main(["--check"]) == 1
    monkeypatch.setattr(codegen, "rendered", lambda: files)
    assert codegen.main(["--check"]) == 0


def test_every_sent_leaf_is_in_the_request_and_the_answer() -> None:
    roots = {path.split(".")[0] for path in leaf_paths(RetrainingPolicyInputs)}
    assert roots == set(RetrainingPolicyUpdate.model_fields)
    # use_case_id is answered as `useCase {id, name}` (NotInAnswer); everything else under its own name.
    assert roots - {"use_case_id"} <= set(RetrainingPolicy.model_fields)
    assert set(RetrainingSettingsUpdate.model_fields) <= set(RetrainingSettingsArgs.__dataclass_fields__)


def test_the_sdk_declares_every_input() -> None:
    assert tuple(RetrainingPolicyInputs.model_fields) == _INPUTS == tuple(RetrainingPolicyArgs.__dataclass_fields__)


def test_server_defaults_are_leaves() -> None:
    assert set(server_defaults(RetrainingPolicyInputs)) <= set(leaf_paths(RetrainingPolicyInputs))
