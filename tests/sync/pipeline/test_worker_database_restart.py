"""A real worker process (manage.py tds_worker) on PostgreSQL whose database connection is cut while it
waits for work, as a restart or a failover cuts it: it reconnects before its next round, without an error,
and applies what arrives."""
from __future__ import annotations

import signal
import time

import pytest

from sync.models import Product, SyncQueueItem
from tests.pgtools import backends_others, terminate_others
from tests.webhooks.factories import store_event
from tests.webhooks.test_workers_processes import _worker

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
EVENTS = 40


def _wait(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _events(first: int) -> set[str]:
    ids = {str(4_700_000_000 + n) for n in range(first, first + EVENTS)}
    for zoho_id in sorted(ids):
        store_event("items", zoho_id, name=f"Item {zoho_id}")
    return ids


def _applied(ids: set[str]) -> bool:
    return Product.objects.filter(zoho_item_id__in=ids).count() == len(ids)


def test_a_worker_whose_connection_was_cut_while_idle_reconnects_and_applies_without_an_error():
    worker = _worker("--idle-sleep", "0.2", "--reap-every", "1")
    try:
        first = _events(0)
        _wait(lambda: _applied(first), "the first events")
        _wait(lambda: backends_others() >= 1, "the worker's connection")
        time.sleep(0.5)  # idle: nothing due, the worker sleeps between rounds
        assert terminate_others() >= 1
        time.sleep(0.5)
        second = _events(EVENTS)
        _wait(lambda: _applied(second), "the events stored after the connection was cut")
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output
    assert "database error" not in output, output
    assert not SyncQueueItem.objects.exclude(status="completed").exists()
