"""Packaging: the declared build backend builds the editable install `make setup` makes, without a word of warning."""

from __future__ import annotations

import importlib
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib; pip vendors a TOML reader
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pulumi_datarobot_retraining", "datarobot_retraining", "datarobot_emulator")


def test_editable_build_is_silent_and_reaches_every_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    build_system = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    backend = importlib.import_module(build_system["build-backend"])
    monkeypatch.chdir(ROOT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wheel_name = backend.build_editable(str(tmp_path))
    captured = capfd.readouterr()
    assert [str(w.message) for w in caught] == []
    assert captured.err == ""
    with zipfile.ZipFile(tmp_path / wheel_name) as wheel:
        pth_lines = [
            line
            for name in wheel.namelist()
            if name.endswith(".pth")
            for line in wheel.read(name).decode().splitlines()
        ]
    roots = {Path(line).resolve() for line in pth_lines if line and not line.startswith("import ")}
    for package in PACKAGES:
        assert any((root / package / "__init__.py").is_file() for root in roots), package
