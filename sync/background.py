"""Read ahead: run an iterator (Zoho pages, detail fetches) in a helper thread, a few items ahead,
so HTTP waits overlap with mapping and database work in the caller's thread."""
from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connections

T = TypeVar("T")
_DONE = object()


def prefetched(source: Iterator[T], *, depth: int = 2) -> Iterator[T]:
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
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer's thread
            buffer.put((_DONE, exc))
        finally:
            connections.close_all()  # the client may have used the DB (token cache, limiter)

    # In a copy of the caller's context: its log lines carry the run's correlation id.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(produce,), name="tds-prefetch",
                              daemon=True)
    thread.start()
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

    def __init__(self, *, workers: int = 1) -> None:
        self._workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="tds-fetch")
        self._pending: list[tuple[Future[Any], Callable[[Any], None]]] = []

    def submit(self, fetch: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Start ``fetch`` now; ``then(result)`` runs in the caller's thread at the next drain."""
        self._pending.append((self._pool.submit(contextvars.copy_context().run, fetch), then))

    def drain(self, *, keep: int = 0) -> None:
        """Finish all but the newest ``keep`` fetches (their ``then`` runs here, in order)."""
        while len(self._pending) > keep:
            future, then = self._pending.pop(0)
            then(future.result())

    def close(self) -> None:
        for future, _ in self._pending:
            future.cancel()
        close_pool_connections(self._pool, self._workers)  # the workers' own DB connections, if any
        self._pool.shutdown(wait=True)


def close_pool_connections(pool: ThreadPoolExecutor, workers: int) -> None:
    """Close the Django DB connections every worker thread of ``pool`` may have opened.

    A barrier makes each of the ``workers`` threads take exactly one closing task (a thread's
    connections are its own); otherwise a test database cannot be dropped afterwards.
    """
    barrier = threading.Barrier(workers)

    def close() -> None:
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        connections.close_all()

    for future in [pool.submit(close) for _ in range(workers)]:
        future.result()
