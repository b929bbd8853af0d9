"""Writes the SDK's typed surface and the wire models from the Inputs models, as Pulumi's SDKs come from a schema.

`python -m datarobot_retraining.codegen` (or `make sdk`) rewrites the generated files; `--check` fails when one is out
of date (tests/unit/test_codegen.py runs it). A new field is declared once, on its Inputs model, then regenerated.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from datarobot_retraining.codegen._sdk import render_sdk
from datarobot_retraining.codegen._specs import RESOURCES, SETTINGS_WIRE, WIRE
from datarobot_retraining.codegen._wire import render_wire

ROOT = Path(__file__).resolve().parents[3]


def rendered() -> dict[Path, str]:
    """Every generated file's path (relative to the repository) and its text, formatted as the repository is."""
    files = {Path(spec.sdk_path): render_sdk(spec) for spec in RESOURCES}
    files.update({Path(spec.path): render_wire(spec) for spec in (WIRE, SETTINGS_WIRE)})
    return {path: _formatted(path, text) for path, text in files.items()}


def _formatted(path: Path, text: str) -> str:
    """Sort the imports and format as `ruff` does, so that the files pass `make lint` as written."""
    for command in (["check", "--select", "I,F401", "--fix", "--quiet"], ["format", "--quiet"]):
        text = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(ROOT / path), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    return text


def stale() -> list[Path]:
    """The generated files whose text differs from what the Inputs models give now."""
    return [path for path, text in rendered().items() if (ROOT / path).read_text() != text]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        out_of_date = stale()
        for path in out_of_date:
            print(f"{path} is out of date: run `make sdk`", file=sys.stderr)
        return 1 if out_of_date else 0
    if args:
        print("usage: python -m datarobot_retraining.codegen [--check]", file=sys.stderr)
        return 2
    for path, text in rendered().items():
        target = ROOT / path
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            print(f"wrote {path}")
    return 0
