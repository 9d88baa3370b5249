"""A run that loses its database connection ends "failed" with the reason, the entities after it are
still attempted, the next run resumes from the cursor, and a run whose process died is failed by the
reaper once its heartbeat stops."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sync.ledger import RunTracker, run_current, runs_fail_silent
from sync.models import Customer, Product, SyncCursor, SyncRun
from sync.pull.run import pull_all, pull_entity
from tests.pgtools import terminate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_terminated_backend_fails_the_run_with_its_reason_and_the_next_run_resumes(sandbox, zoho_settings):
    pull_entity(entity="items", full=True)
    cursor_before = SyncCursor.objects.get(entity="items").watermark
    edited = sandbox.store.ids_of("items")[:120]
    for item_id in edited:
        sandbox.store.edit("items", item_id, {"name": f"Edited {item_id}"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    batches: list[int] = []

    def kill_after_first_batch(entity: str, size: int) -> None:
        batches.append(size)
        if entity == "items" and len(batches) == 1:
            terminate(pid)

    summary = _pull_with_db_batch(kill_after_first_batch)

    items_run = SyncRun.objects.filter(entity="items").order_by("-created_at").first()
    assert items_run.status == "failed"
    assert items_run.error_message and ("terminat" in items_run.error_message.lower()
                                        or "connection" in items_run.error_message.lower())
    assert SyncCursor.objects.get(entity="items").watermark == cursor_before  # nothing it covers was lost
    assert [r.entity for r in summary.results] == ["items", "customers"]  # the next entity was attempted
    assert summary.results[1].status == "completed" and Customer.objects.exists()
    assert not SyncRun.objects.filter(status="running").exists()

    again = pull_entity(entity="items")
    assert again.status == "completed"
    names = dict(Product.objects.filter(zoho_item_id__in=edited).values_list("zoho_item_id", "name"))
    assert names == {item_id: f"Edited {item_id}" for item_id in edited}


def _pull_with_db_batch(progress):
    from django.test import override_settings

    with override_settings(TDS_PULL_DB_BATCH_SIZE=50):
        return pull_all(entities=["items", "customers"], progress=progress)


@pytest.mark.django_db
def test_a_run_whose_process_died_is_failed_once_its_heartbeat_stops():
    alive = RunTracker(run_type="incremental", entity="items")
    dead = RunTracker(run_type="incremental", entity="customers")
    SyncRun.objects.filter(pk=dead.run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=30))
    assert runs_fail_silent(minutes=15) == 1
    dead_row = SyncRun.objects.get(pk=dead.run.pk)
    assert dead_row.status == "failed" and "no heartbeat for 15 minutes" in dead_row.error_message
    assert SyncRun.objects.get(pk=alive.run.pk).status == "running"
    # The test plays the dead process: its run never finishes; its context is left innermost first.
    dead._finished = True
    dead._scope.close()
    alive.finish()
    assert run_current() is None
