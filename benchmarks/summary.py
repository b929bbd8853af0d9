"""`summary.md`: one markdown table of every result file in a results folder (the README quotes it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ORDER = ("overhead", "api_calls", "state_size", "startup", "scale", "engine", "peer", "emulator_rps")


def load_results(out_dir: Path) -> list[dict[str, Any]]:
    documents = [json.loads(p.read_text()) for p in sorted(out_dir.glob("*.json"))]
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(documents, key=lambda d: rank.get(d["benchmark"], len(ORDER)))


def render(documents: list[dict[str, Any]]) -> str:
    if not documents:
        return "# Benchmark results\n\nNo results yet: run `make bench`.\n"
    machine = documents[0]["machine"]
    dates = sorted({d["date"][:10] for d in documents})
    quick = any(d.get("quick") for d in documents)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {', '.join(dates)} on {machine['cores']} cores ({machine['cpu_model'] or 'unknown CPU'}), "
        f"Python {machine['python']}, {machine['platform']}. Emulator in its own process on localhost; every timing "
        "is a ratio against a baseline measured in the same run (interleaved rounds), given as median (min-max)."
        + (" **Quick (smoke) sizes: not representative.**" if quick else ""),
        "",
        "| Benchmark | Figure | Value |",
        "|---|---|---|",
    ]
    for document in documents:
        title = document["title"]
        for label, value in document["figures"]:
            lines.append(f"| {title} | {label} | {value} |")
            title = ""
    lines += ["", "| Goal | Target | Measured | Met |", "|---|---|---|---|"]
    for document in documents:
        for goal in document["goals"]:
            lines.append(
                f"| {goal['name']} | {goal['target']} | {goal['value']} | {'yes' if goal['met'] else '**no**'} |"
            )
    lines += ["", "Load average (1, 5, 15 min) before → after each benchmark:", ""]
    for document in documents:
        load = document["load"]
        took = f"{document['duration_s']} s ({document['date']})"
        lines.append(f"- {document['benchmark']}: {load['before']} → {load['after']}, {took}")
    return "\n".join(lines) + "\n"


def write_summary(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.md"
    path.write_text(render(load_results(out_dir)))
    return path
