"""The error tree drawn in `errors.py` is the real one: every error class of the package, under its real parent."""

from __future__ import annotations

import importlib
import pkgutil
import re

import datarobot_retraining
from datarobot_retraining import errors
from datarobot_retraining.errors import DataRobotError

_BRANCH = re.compile(r"^(?P<indent>[ │]*)[├└]── (?P<name>\w+)")


def drawn_parents() -> dict[str, str]:
    """Each class of the docstring's tree, with the class it is drawn under."""
    doc = errors.__doc__ or ""
    lines = doc.splitlines()
    root_line = next(line for line in lines if line.strip() == DataRobotError.__name__)
    base = len(root_line) - len(root_line.lstrip())
    path = [DataRobotError.__name__]
    parents: dict[str, str] = {}
    for line in lines:
        match = _BRANCH.match(line[base:])
        if match is None:
            continue
        depth = len(match["indent"]) // 4
        del path[depth + 1 :]
        parents[match["name"]] = path[depth]
        path.append(match["name"])
    return parents


def package_errors() -> list[type[DataRobotError]]:
    """Every subclass of DataRobotError defined in the package, once all its modules are imported."""
    for module in pkgutil.walk_packages(datarobot_retraining.__path__, "datarobot_retraining."):
        if not module.name.endswith(".__main__"):  # a `python -m` entry point runs when imported
            importlib.import_module(module.name)
    found: list[type[DataRobotError]] = []
    pending = [DataRobotError]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("datarobot_retraining."):
                found.append(sub)
    return found


def test_every_error_class_is_drawn_under_its_parent() -> None:
    parents = drawn_parents()
    classes = package_errors()
    assert {"ResourceOperationError", "CliError", "WaitTimeoutError", "NotFoundError"} <= {c.__name__ for c in classes}
    for cls in classes:
        parent = next(base for base in cls.__mro__[1:] if issubclass(base, DataRobotError))
        assert parents.get(cls.__name__) == parent.__name__, f"{cls.__module__}.{cls.__name__}"
    assert set(parents) == {c.__name__ for c in classes}  # and nothing drawn that does not exist
