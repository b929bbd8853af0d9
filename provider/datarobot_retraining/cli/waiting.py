"""Following a run until it ends: polling with backoff, and progress as a live line (TTY) or plain lines."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType

from rich.status import Status
from rich.text import Text

from datarobot_retraining.cli.formatting import duration_text, status_text, stderr_console, stdout_console, watch_line
from datarobot_retraining.cli.session import EXIT_TIMEOUT, CliError
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.client.polling import DEFAULT_POLL_INTERVAL, Deadline, poll
from datarobot_retraining.errors import NotFoundError, WaitTimeoutError
from datarobot_retraining.models import RetrainingPolicyRun

#: First and longest pause between two reads of a run (tests shorten it).
POLL_INTERVAL: tuple[float, float] = DEFAULT_POLL_INTERVAL
#: Without a terminal, a line when the status or step changes, and at least this often.
PLAIN_REPORT_EVERY = 30.0


class LiveLine:
    """The spinner's text, worked out each time the spinner is redrawn, so the elapsed time keeps counting between two
    reads of the run (which may be seconds apart) instead of standing still until the status changes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._run: RetrainingPolicyRun | None = None
        self._elapsed = 0.0
        self._since = clock()

    def show(self, run: RetrainingPolicyRun, elapsed: float) -> None:
        self._run, self._elapsed, self._since = run, elapsed, self._clock()

    def __rich__(self) -> Text:
        if self._run is None:
            return Text("")
        return Text(watch_line(self._run, self._elapsed + self._clock() - self._since))


class Progress(AbstractContextManager["Progress"]):
    """Shows a run's status while waiting, without ever adding a line to stderr (which carries only errors).

    On a terminal, a spinner line redrawn in place on stderr and erased at the end. Otherwise (logs, CI), plain
    lines on stdout when the status or step changes, and at least every 30 s; none with `--json`, whose stdout is
    one JSON document.
    """

    def __init__(self, *, as_json: bool, clock: Callable[[], float] = time.monotonic) -> None:
        live = stderr_console()
        self._live = live if live.is_terminal else None
        self._lines = None if (self._live is not None or as_json) else stdout_console()
        self._status: Status | None = None
        self._line = LiveLine(clock)
        self._last_text = ""
        self._last_report = float("-inf")

    def __enter__(self) -> Progress:
        if self._live is not None:
            self._status = self._live.status(self._line)
            self._status.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def update(self, run: RetrainingPolicyRun, elapsed: float) -> None:
        if self._status is not None:
            self._line.show(run, elapsed)
            return
        text = status_text(run)
        now = time.monotonic()
        if self._lines is not None and (text != self._last_text or now - self._last_report >= PLAIN_REPORT_EVERY):
            self._lines.print(Text(watch_line(run, elapsed)))
            self._last_text, self._last_report = text, now


def follow_run(
    client: DataRobotClient,
    deployment_id: str,
    policy_id: str,
    run: RetrainingPolicyRun,
    *,
    timeout: float | None,
    progress: Progress,
) -> RetrainingPolicyRun:
    """Poll the run until it ends and return it; `CliError(EXIT_TIMEOUT)` when `timeout` seconds pass first."""
    started = time.monotonic()

    def read() -> RetrainingPolicyRun:
        try:
            return client.retraining_policy_runs.get(deployment_id, policy_id, run.id)
        except NotFoundError as error:
            raise CliError(f"Run {run.id} of policy {policy_id} disappeared while it was being watched.") from error

    try:
        ended = poll(
            read,
            until=lambda current: current.outcome.finished,
            deadline=Deadline.after(timeout),
            interval=POLL_INTERVAL,
            report=progress.update,
            first=run,
        )
    except WaitTimeoutError as timed_out:
        last: RetrainingPolicyRun = timed_out.last
        raise CliError(
            f"Run {last.id} is still {status_text(last)} after {duration_text(timeout)}; it goes on (not "
            f"cancelled): follow it with `datarobot-retraining runs watch {deployment_id} {policy_id} {last.id}`.",
            EXIT_TIMEOUT,
        ) from None
    progress.update(ended, time.monotonic() - started)
    return ended
