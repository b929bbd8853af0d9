"""The code blocks of README.md and docs/*.md, with the marker that says whether and how each one runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENTS = (README, *sorted((ROOT / "docs").glob("*.md")))
CODE_LANGUAGES = frozenset({"python", "bash", "sh"})
OPTIONS = frozenset({"program", "continues"})

_FENCE = re.compile(r"^```\s*([\w+-]*)")
_MARKER = re.compile(r"^<!--\s*(?:runnable(?::\s*(?P<options>[^>]*?))?|not runnable:\s*(?P<why>[^>]*?))\s*-->$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it starts, its language, its text, and the marker on the line above it (if any)."""

    path: Path
    line: int
    language: str
    text: str
    marker: str | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def runs(self) -> bool:
        match = _MARKER.match(self.marker or "")
        return match is not None and match.group("why") is None

    @property
    def options(self) -> frozenset[str]:
        match = _MARKER.match(self.marker or "")
        text = (match.group("options") if match else None) or ""
        return frozenset(word.strip() for word in text.split(",") if word.strip())


@dataclass(frozen=True)
class Snippet:
    """What one test runs: a block, with the blocks that continue it appended. `kind`: python, bash or program."""

    where: str
    kind: str
    text: str


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].startswith("```"):
            body.append(lines[end])
            end += 1
        above = next((lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = above if above.startswith("<!--") else None
        found.append(Block(path, index + 1, opening.group(1).lower(), "\n".join(body) + "\n", marker))
        index = end + 1
    return found


def code_blocks(path: Path) -> list[Block]:
    return [block for block in blocks(path) if block.language in CODE_LANGUAGES]


def snippets(path: Path) -> list[Snippet]:
    """The runnable code blocks of one document, each `continues` block joined to the one it continues."""
    result: list[Snippet] = []
    for block in code_blocks(path):
        if not block.runs:
            continue
        unknown = block.options - OPTIONS
        if unknown:
            raise ValueError(f"{block.where}: unknown runnable option(s) {sorted(unknown)}")
        kind = "program" if "program" in block.options else ("python" if block.language == "python" else "bash")
        if "continues" in block.options:
            previous = next((i for i in range(len(result) - 1, -1, -1) if result[i].kind == kind), None)
            if previous is None:
                raise ValueError(f"{block.where}: continues, but no runnable {kind} block comes before it")
            result[previous] = replace(result[previous], text=result[previous].text + block.text)
        else:
            result.append(Snippet(block.where, kind, block.text))
    return result
