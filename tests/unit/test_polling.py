"""The one wait loop (`client.polling.poll`) on a fake clock: backoff, deadline, reports, and what it leaves alone."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator

import pytest

from datarobot_retraining.client.polling import Deadline, poll
from datarobot_retraining.errors import DataRobotError, WaitTimeoutError
from tests.unit.transport_support import FakeTime


def reader(values: list[str]) -> Callable[[], str]:
    """Reads the values in order; a read past the end is a test bug."""
    remaining: Iterator[str] = iter(values)
    return lambda: next(remaining)


def test_it_reads_until_the_predicate_holds_with_doubling_pauses(fake_time: FakeTime) -> None:
    read = reader(["queued", "running", "running", "running", "running", "done"])
    ended = poll(
        read,
        until=lambda status: status == "done",
        deadline=Deadline.after(3600, fake_time.clock),
        interval=(0.5, 3.0),
        sleep=fake_time.sleep,
    )
    assert ended == "done"
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_value_already_read_is_tested_first_and_a_done_one_costs_no_read(fake_time: FakeTime) -> None:
    def no_read() -> str:
        raise AssertionError("no read expected")

    deadline = Deadline.after(10, fake_time.clock)
    assert poll(no_read, until=lambda s: s == "done", deadline=deadline, first="done", sleep=fake_time.sleep) == "done"
    assert fake_time.sleeps == []


def test_the_deadline_stops_it_with_the_last_value_and_no_pause_runs_past_it(fake_time: FakeTime) -> None:
    reads: list[float] = []

    def read() -> str:
        reads.append(fake_time.now)
        return "running"

    with pytest.raises(WaitTimeoutError) as timed_out:
        poll(
            read,
            until=lambda s: s == "done",
            deadline=Deadline.after(5, fake_time.clock),
            interval=(1.0, 4.0),
            sleep=fake_time.sleep,
        )
    assert timed_out.value.last == "running" and timed_out.value.seconds == 5
    assert fake_time.sleeps == [1.0, 2.0, 2.0]  # the last pause is cut to the time left
    assert [t - 1000.0 for t in reads] == [0.0, 1.0, 3.0, 5.0]  # one read at the deadline itself


def test_without_a_limit_it_waits_as_long_as_it_takes(fake_time: FakeTime) -> None:
    statuses = ["running"] * 5000 + ["done"]
    ended = poll(
        reader(statuses),
        until=lambda s: s == "done",
        deadline=Deadline.after(None, fake_time.clock),
        sleep=fake_time.sleep,
    )
    assert ended == "done" and fake_time.now - 1000.0 > 9000  # hours on the fake clock, none on the real one


def test_reports_see_each_value_not_done_with_the_time_since_the_start(fake_time: FakeTime) -> None:
    seen: list[tuple[str, float]] = []
    poll(
        reader(["running", "building", "done"]),
        until=lambda s: s == "done",
        deadline=Deadline.after(60, fake_time.clock),
        interval=(2.0, 2.0),
        report=lambda value, elapsed: seen.append((value, elapsed)),
        first="queued",
        sleep=fake_time.sleep,
    )
    assert seen == [("queued", 0.0), ("running", 2.0), ("building", 4.0)]


def test_a_report_comes_before_giving_up(fake_time: FakeTime) -> None:
    seen: list[str] = []
    with pytest.raises(WaitTimeoutError):
        poll(
            reader(["a", "b"]),
            until=lambda s: False,
            deadline=Deadline.after(1, fake_time.clock),
            interval=(1.0, 1.0),
            report=lambda value, _elapsed: seen.append(value),
            sleep=fake_time.sleep,
        )
    assert seen == ["a", "b"]


def test_an_error_of_the_read_reaches_the_caller_unchanged(fake_time: FakeTime) -> None:
    class GoneError(Exception):
        pass

    def read() -> str:
        raise GoneError("the run went away")

    with pytest.raises(GoneError, match="went away"):
        poll(read, until=lambda s: True, deadline=Deadline.after(5, fake_time.clock), sleep=fake_time.sleep)


def test_one_deadline_bounds_several_waits_in_a_row(fake_time: FakeTime) -> None:
    deadline = Deadline.after(10, fake_time.clock)
    poll(
        reader(["busy", "busy", "idle"]),
        until=lambda s: s == "idle",
        deadline=deadline,
        interval=(3.0, 3.0),
        sleep=fake_time.sleep,
    )
    assert deadline.remaining() == 4.0
    with pytest.raises(WaitTimeoutError):
        poll(
            reader(["running"] * 10),
            until=lambda s: s == "done",
            deadline=deadline,
            interval=(3.0, 3.0),
            sleep=fake_time.sleep,
        )
    assert fake_time.now - 1000.0 == 10.0 and deadline.passed() and deadline.remaining() == 0.0


def test_the_timeout_is_an_error_of_the_tree_that_survives_pickling() -> None:
    error = WaitTimeoutError({"status": "running"}, 2.5)
    assert isinstance(error, DataRobotError) and str(error) == "Gave up waiting after 2.5 s."
    copy = pickle.loads(pickle.dumps(error))
    assert copy.last == {"status": "running"} and copy.seconds == 2.5 and str(copy) == str(error)
