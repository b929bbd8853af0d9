"""The root stack's entry point: runs the quickstart program in examples/quickstart.

Pulumi.yaml has no `main:` on purpose: the engine starts the dynamic provider in the program's `main` folder and
resolves `virtualenv: .venv` against it (pulumi issue 7061), so `main: examples/quickstart` would look for
examples/quickstart/.venv and the provider would not start.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent / "examples" / "quickstart" / "__main__.py"), run_name="__main__")
