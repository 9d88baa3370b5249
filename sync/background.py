"""Helper threads, so HTTP waits overlap with mapping and database work in the caller's thread:
``prefetched`` reads an iterator (Zoho pages) a few items ahead, ``Background`` runs fetches whose
results the caller collects later, ``thread_map`` maps over a list (detail fetches), and
``threads_start`` starts plain workers (image downloads). Every thread they start closes its own
database connections when it ends (``_closing_connections``)."""
from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")
R = TypeVar("R")
_DONE = object()


def prefetched(source: Iterator[T], *, depth: int = 2) -> Generator[T, None, None]:
    """Yield what ``source`` yields, produced ``depth`` items ahead in a daemon thread."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        buffer.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put((_DONE, None))
        except BaseException as exc:  # re-raised in the consumer's thread
            buffer.put((_DONE, exc))

    [thread] = threads_start(produce, count=1, name="tds-prefetch")
    try:
        while True:
            item, error = buffer.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        close = getattr(source, "close", None)
        thread.join(timeout=5)
        if close and not thread.is_alive():
            close()


class Background:
    """Worker threads for fetches whose results the caller collects later, in submission order."""

    def __init__(self, *, workers: int = 1, name: str = "tds-fetch") -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._pending: list[tuple[Future[Any], Callable[[Any], None]]] = []
        self._threads = threads_start(self._work, count=max(1, workers), name=name)

    def submit(self, fetch: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Start ``fetch`` now; ``then(result)`` runs in the caller's thread at the next drain."""
        future: Future[Any] = Future()
        self._jobs.put((future, fetch))
        self._pending.append((future, then))

    def drain(self, *, keep: int = 0) -> None:
        """Finish all but the newest ``keep`` fetches (their ``then`` runs here, in order)."""
        while len(self._pending) > keep:
            future, then = self._pending.pop(0)
            then(future.result())

    def close(self) -> None:
        """Cancel what has not started, let the threads finish and close their DB connections."""
        for future, _ in self._pending:
            future.cancel()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fetch = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fetch())
            except BaseException as exc:  # re-raised in the caller's thread by drain
                future.set_exception(exc)


def thread_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int, name: str = "tds-fetch") -> list[R]:
    """``[fn(item) for item in items]`` on up to ``workers`` threads, results in order; the first
    error is raised here and the items not started yet are not run."""
    items = list(items)
    workers = min(workers, len(items))
    if workers <= 1:
        return [fn(item) for item in items]
    results: list[R] = []
    background = Background(workers=workers, name=name)
    try:
        for item in items:
            background.submit(lambda item=item: fn(item), results.append)  # type: ignore[misc]
        background.drain()
    finally:
        background.close()
    return results


def threads_start(target: Callable[[], None], *, count: int, name: str) -> list[threading.Thread]:
    """Start ``count`` daemon threads running ``target``; each closes its own DB connections at the end.

    Each runs in a copy of the caller's context, so its log lines carry the run's correlation id.
    """
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(_closing_connections(target),),
                                name=f"{name}-{n}", daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _closing_connections(target: Callable[[], None]) -> Callable[[], None]:
    """The one DB-connection cleanup of every helper thread. A thread's Django connections are its
    own (the client may use the database: token cache, rate limiter); left open, they outlive the
    thread and a test database cannot be dropped."""
    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()
    return run
