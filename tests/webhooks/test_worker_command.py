"""manage.py tds_worker in process: options and what it prints."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sync.models import Product, SyncQueueItem
from tests.webhooks.factories import store_event

pytestmark = pytest.mark.django_db


def test_once_drains_everything_due_and_reports():
    for n in range(5):
        store_event("items", f"{7100 + n}", name=f"worker item {n}")
    out = StringIO()
    call_command("tds_worker", "--once", "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert "started (batch 2)" in text
    assert "applied 5, superseded 0, retried 0, dead 0, lease lost 0, batches 3" in text
    assert Product.objects.count() == 5
    assert set(SyncQueueItem.objects.values_list("status", flat=True)) == {"completed"}


@pytest.mark.parametrize("args,message", [
    (["--batch-size", "0"], "--batch-size"),
    (["--lease-seconds", "0"], "--lease-seconds"),
    (["--apply", "no.such.function"], "--apply"),
])
def test_bad_options_stop_with_one_line(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("tds_worker", "--once", *args, stdout=StringIO())


def test_an_unexpected_error_in_a_batch_records_the_worker_run_failed_with_the_reason(monkeypatch):
    """The worker's run goes through the ledger's context manager: the same exception policy as every
    service's run, not a row left "running" for the reaper."""
    from sync.models import SyncRun

    def drain_batch(*, on_work, **kwargs):
        on_work()  # a batch found work: the run's row is written
        raise RuntimeError("a bug in apply")

    monkeypatch.setattr("sync.management.commands.tds_worker.drain_batch", drain_batch)
    with pytest.raises(RuntimeError, match="a bug in apply"):
        call_command("tds_worker", "--once", stdout=StringIO(), stderr=StringIO())
    run = SyncRun.objects.get(run_type="queue")
    assert (run.status, run.error_message) == ("failed", "RuntimeError: a bug in apply")
    assert run.finished_at is not None
