"""The live status line on a terminal: what it shows between two reads of the run."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from datarobot_retraining.cli import waiting
from datarobot_retraining.models import RetrainingPolicyRun


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_spinners_elapsed_time_keeps_counting_between_status_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True, width=120)
    monkeypatch.setattr(waiting, "stderr_console", lambda: terminal)
    clock = FakeClock()
    run = RetrainingPolicyRun.model_validate({"id": "66e1d0a00000000000000004", "status": "running"})

    def shown(progress: waiting.Progress) -> str:
        # What the spinner draws at its next refresh (it redraws about 12 times a second).
        screen = Console(file=io.StringIO(), record=True, width=120)
        screen.print(progress._status)
        return screen.export_text()

    with waiting.Progress(as_json=False, clock=clock) as progress:
        progress.update(run, 2.0)
        assert "Run 66e1d0a00000000000000004 after 2s: running" in shown(progress)
        clock.now += 10  # ten seconds, no new read of the run: the same status, a later time
        assert "Run 66e1d0a00000000000000004 after 12s: running" in shown(progress)
        progress.update(run, 13.0)  # the next read: its own elapsed time takes over
        assert "Run 66e1d0a00000000000000004 after 13s: running" in shown(progress)
