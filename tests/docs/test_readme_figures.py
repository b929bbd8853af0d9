"""The README's benchmark tables are the ones the committed result files give: no figure there that was not measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._common import RESULTS_DIR
from benchmarks.summary import README, README_BEGIN, README_END, load_results, readme_block, short_title, update_readme


def test_readme_tables_are_written_from_the_result_files() -> None:
    text = README.read_text()
    generated = text[text.index(README_BEGIN) : text.index(README_END) + len(README_END)]
    assert generated == readme_block(load_results(RESULTS_DIR)), "run `make bench` (or update_readme) again"


def test_every_result_file_with_goals_is_in_the_readme() -> None:
    block = readme_block(load_results(RESULTS_DIR))
    for document in load_results(RESULTS_DIR):
        if document["goals"]:
            assert short_title(document) in block
            assert f"{document['date'][:10]}, load {document['load']['before'][0]:g}" in block


def test_update_readme_replaces_only_the_generated_tables(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{README_BEGIN}\nold table\n{README_END}\noutro\n")
    documents = load_results(RESULTS_DIR)
    update_readme(documents, readme)
    assert readme.read_text() == f"intro\n{readme_block(documents)}\noutro\n"
    readme.write_text("no tables here\n")
    with pytest.raises(ValueError, match="has no generated benchmark tables"):
        update_readme(documents, readme)
