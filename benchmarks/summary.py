"""`summary.md` and the README's figure tables: written from the result files, so every figure quoted is measured."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ._common import RESULTS_DIR

README = Path(__file__).resolve().parents[1] / "README.md"
#: The README's generated tables sit between these lines; `make bench` rewrites what is between them.
README_BEGIN = "<!-- benchmark figures: written by `make bench` from benchmarks/results/*.json; do not edit -->"
README_END = "<!-- end of benchmark figures -->"
#: A benchmark with more goals than this is one row in the README (its goals are listed in summary.md).
README_GOAL_ROWS = 4

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


def _when(document: dict[str, Any]) -> str:
    before, after = document["load"]["before"][0], document["load"]["after"][0]
    return f"{document['date'][:10]}, load {before:g} → {after:g}"


def short_title(document: dict[str, Any]) -> str:
    """The title without a closing parenthesis (`Provider overhead (create → ...)` → `Provider overhead`)."""
    return re.sub(r" \([^()]*\)$", "", document["title"])


def _goal_rows(document: dict[str, Any]) -> list[str]:
    goals = document["goals"]
    title, when = short_title(document), _when(document)
    if len(goals) > README_GOAL_ROWS:
        missed = [g["name"] for g in goals if not g["met"]]
        measured = "as targeted, every one" if not missed else "missed: " + ", ".join(missed)
        verdict = f"{len(goals) - len(missed)} of {len(goals)}"
        return [f"| {title} | {len(goals)} per-operation targets | {measured} | {verdict} | {when} |"]
    return [
        f"| {title}: {g['name']} | {g['target']} | {g['value']} | {'yes' if g['met'] else '**no**'} | {when} |"
        for g in goals
    ]


def readme_block(documents: list[dict[str, Any]]) -> str:
    """The README's tables of goals and of the emulator's throughput, from the result documents."""
    lines = [
        README_BEGIN,
        "| benchmark | goal | measured | met | measured on, load (1 min, before → after) |",
        "|---|---|---|---|---|",
    ]
    lines += [row for document in documents for row in _goal_rows(document)]
    for document in documents:
        if document["benchmark"] == "emulator_rps":
            lines += ["", "| emulator operation | client threads | requests per second | measured on, load |"]
            lines += ["|---|---|---|---|"]
            lines += [
                f"| {row['name']} | {row['threads']} | {row['rps']:.0f} | {_when(document)} |"
                for row in document["results"]["rows"]
            ]
    return "\n".join([*lines, README_END])


def update_readme(documents: list[dict[str, Any]], readme: Path = README) -> None:
    """Replace the README's generated tables with those of `documents`."""
    text = readme.read_text()
    head, begin, rest = text.partition(README_BEGIN)
    _, end, tail = rest.partition(README_END)
    if not begin or not end:
        raise ValueError(f"{readme} has no generated benchmark tables (the line {README_BEGIN!r} and its end)")
    readme.write_text(head + readme_block(documents) + tail)


def write_summary(out_dir: Path) -> Path:
    """Rebuild `summary.md` of `out_dir`; for the main results folder, the README's tables too."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.md"
    documents = load_results(out_dir)
    path.write_text(render(documents))
    if out_dir.resolve() == RESULTS_DIR.resolve():
        update_readme(documents)
    return path
