"""The one progress display of the commands: a tqdm bar on a terminal; on anything else (cron,
log files, pipes) a plain line every ``every_percent`` % of a known total, or every
``every_seconds`` seconds when the total is unknown, so logs show progress without the bar's
carriage returns."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from tqdm import tqdm


class ProgressBar:
    """Progress of one task; ``update`` adds done units, ``set`` states how many are done."""

    def __init__(self, label: str, *, total: int | None = None, unit: str = "records", stream: TextIO | None = None,
                 every_percent: int = 10, every_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_percent, self.every_seconds, self.clock = every_percent, every_seconds, clock
        self.done = 0
        self._bar: Any = None
        self._last_step = -1
        self._last_time = clock()

    def update(self, n: int = 1) -> None:
        self.set(self.done + n)

    def set(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        self.done = done
        if self.tty:
            self._tick_bar()
        else:
            self._maybe_line()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _tick_bar(self) -> None:
        if self._bar is None:
            self._bar = tqdm(total=self.total, unit=f" {self.unit}", desc=self.label, file=self.stream, leave=False)
        if self.total is not None and self._bar.total != self.total:
            self._bar.total = self.total
        self._bar.update(self.done - self._bar.n)

    def _maybe_line(self) -> None:
        if self.total:
            # one line per every_percent step, and one for the end
            step = self.done * 100 // self.total // max(self.every_percent, 1) if self.done < self.total else -2
            if step == self._last_step:
                return
            self._last_step = step
            self._line(f"{self.label}: {self.done:,}/{self.total:,} {self.unit}")
            return
        now = self.clock()
        if now - self._last_time >= self.every_seconds:
            self._last_time = now
            self._line(f"{self.label}: {self.done:,} {self.unit} …")

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
