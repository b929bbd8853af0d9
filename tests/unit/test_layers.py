"""Which code may import which: the shipped packages and the benchmarks never lean on the test suite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("folder", ["benchmarks", "sdk", "provider", "emulator", "examples"])
def test_no_code_outside_the_tests_imports_them(folder: str) -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in sorted((ROOT / folder).rglob("*.py")) if "tests" in imported_roots(p)
    ]
    assert offenders == []
