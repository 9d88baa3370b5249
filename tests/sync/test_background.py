"""The one background-thread helper: results in order, errors in the caller, DB connections closed."""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from sync import background
from sync.background import Background, prefetched, thread_map, threads_start


@pytest.fixture
def closed(monkeypatch):
    """Names of the threads that closed their DB connections."""
    names: list[str] = []
    real = connections.close_all

    def close_all() -> None:
        names.append(threading.current_thread().name)
        real()

    monkeypatch.setattr(background.connections, "close_all", close_all)
    return names


def test_thread_map_keeps_order_and_runs_in_parallel(closed) -> None:
    seen: set[str] = set()

    def slow_square(n: int) -> int:
        seen.add(threading.current_thread().name)
        time.sleep(0.01 * (5 - n % 5))
        return n * n

    assert thread_map(slow_square, range(20), workers=5, name="tds-t") == [n * n for n in range(20)]
    assert len(seen) > 1 and sorted(closed) == sorted(f"tds-t-{n}" for n in range(5))


def test_thread_map_raises_the_first_error_in_the_caller(closed) -> None:
    def fail_on_three(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    with pytest.raises(ValueError, match="three"):
        thread_map(fail_on_three, range(8), workers=3, name="tds-e")
    assert len(closed) == 3


def test_background_runs_then_in_submission_order(closed) -> None:
    got: list[int] = []
    bg = Background(workers=3, name="tds-b")
    for n in range(6):
        bg.submit(lambda n=n: (time.sleep(0.01 * (6 - n)), n)[1], got.append)
    bg.drain(keep=2)
    assert got == [0, 1, 2, 3]
    bg.drain()
    bg.close()
    assert got == list(range(6)) and len(closed) == 3


def test_prefetch_and_plain_threads_close_their_connections(closed) -> None:
    assert list(prefetched(iter(range(5)))) == list(range(5))
    for thread in threads_start(lambda: None, count=2, name="tds-w"):
        thread.join()
    assert sorted(closed) == ["tds-prefetch-0", "tds-w-0", "tds-w-1"]
