"""The background ticker: a daemon thread that ticks, so runs and schedules progress with nobody reading."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Ticker:
    """Calls ``tick`` every ``interval`` seconds between ``start`` and ``stop``."""

    def __init__(self, tick: Callable[[], object]) -> None:
        self._tick = tick
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, interval: float) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self._tick()
                except Exception:  # the ticker must survive anything; the next tick retries
                    log.exception("emulator ticker failed")

        self._thread = threading.Thread(target=loop, name="emulator-ticker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
