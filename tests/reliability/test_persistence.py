"""Persistence: the emulator SIGKILLed in the middle of a concurrent write load loses no acknowledged write."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.reliability.persistence import crash_cycles
from tests.reliability.workload import format_table


@pytest.mark.timeout(120)
def test_sigkill_mid_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    figures = crash_cycles(
        tmp_path,
        f"persist-{uuid.uuid4().hex}",
        cycles=2,
        writers=4,
        deployments=8,
        seconds=1.0,
        min_acknowledged_per_cycle=50,
    )
    print(format_table(figures.rows(), "SIGKILL mid-load (2 cycles)"))

    assert figures.kills == 2
    assert sum(figures.acknowledged.values()) >= 100, figures.acknowledged  # the load really wrote
    assert figures.acknowledged["create"] and figures.acknowledged["patch"] and figures.acknowledged["delete"]
    assert figures.lost_writes == []
    assert figures.unexplained == []
    assert figures.inconsistencies == []
    assert figures.max_policies_per_deployment <= 5
    assert figures.policies_checked > 0
