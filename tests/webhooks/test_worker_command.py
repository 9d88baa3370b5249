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
