"""Stopping a long-running command or task on SIGTERM/SIGINT without leaving anything behind.

The handler raises StopRequested in the main thread, wherever it is (a blocked socket read is
interrupted too). StopRequested is a BaseException, like KeyboardInterrupt, so no ``except
Exception`` of the sync swallows it: it unwinds through every ``schedule_lock`` (the lock is
released in its ``finally``) and every open run (the ledger settles it as failed with the reason).
``command_stops`` then settles any run still open, prints one line and exits 143 (SIGTERM) or
130 (SIGINT), the shell's codes for those signals.

Inside ``stops.graceful()`` a first signal only marks the stop (``stops.requested``) and wakes
``stops.event``: a loop finishes its step (a worker's batch) or ends its wait, then leaves. A
second signal raises as usual.

    with command_stops(self.stdout.write, what="Odoo sync") as stops:
        ...
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_CODES = {signal.SIGTERM: 143, signal.SIGINT: 130}


class StopRequested(BaseException):  # a request, like KeyboardInterrupt, not an error
    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.signal_name} before it finished")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(signal.Signals(self.signum), 128 + self.signum)


class Stops:
    """What the handlers saw: ``requested`` is the first signal's number (None until one came)."""

    def __init__(self) -> None:
        self.requested: int | None = None
        self.event = threading.Event()
        self._graceful = 0
        self._raised = False

    @contextmanager
    def graceful(self) -> Iterator[None]:
        self._graceful += 1
        try:
            yield
        finally:
            self._graceful -= 1

    def handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.requested is None
        if first:
            self.requested = signum
        self.event.set()
        if self._raised or (self._graceful and first):
            return  # already unwinding, or a loop that will leave at its next step
        self._raised = True
        raise StopRequested(signum)


@contextmanager
def stops_on_signals() -> Iterator[Stops]:
    """SIGTERM/SIGINT raise StopRequested inside the block; the previous handlers come back after.

    Signal handlers can only be set from the main thread: elsewhere (a test client's thread, a
    threaded server) the block runs without them and the process's own handling stays; so does a
    signal the process ignores.
    """
    stops = Stops()
    if threading.current_thread() is not threading.main_thread():
        yield stops
        return
    # An ignored signal stays ignored: django-q2's workers ignore SIGINT so that Ctrl-C on the
    # cluster lets them finish their task, and a shell's background job ignores it too.
    previous = {sig: signal.signal(sig, stops.handle) for sig in SIGNALS if signal.getsignal(sig) != signal.SIG_IGN}
    try:
        yield stops
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def runs_settle(stop: StopRequested) -> int:
    """Settle every run still open in this context as failed with the stop as reason; how many."""
    from sync.ledger import run_current

    settled, seen = 0, set()
    while (run := run_current()) is not None and id(run) not in seen:
        seen.add(id(run))
        run.finish(error=stop)
        settled += 1
    return settled


@contextmanager
def command_stops(write: Callable[[str], Any], *, what: str) -> Iterator[Stops]:
    """A management command's body: on SIGTERM/SIGINT its locks are released (by unwinding), its
    runs settled, one line printed, and the process exits 143/130."""
    with stops_on_signals() as stops:
        try:
            yield stops
        except StopRequested as stop:
            runs_settle(stop)
            write(f"{what} {stop}: locks released, the run recorded as failed")
            raise SystemExit(stop.exit_code) from None
