"""The overview's last hour: items applied, records written by runs and errors, per minute, live."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sync.models import DeadLetter, SyncQueueItem, SyncRun

pytestmark = pytest.mark.django_db


def _minute(moment: datetime) -> int:
    return int(moment.astimezone(UTC).replace(second=0, microsecond=0).timestamp())


def _chart(html: str) -> dict:
    found = re.search(r'<script id="chart-last-hour" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the overview carries the last hour's chart data"
    return json.loads(found[1])


@pytest.fixture
def last_hour() -> dict[str, datetime]:
    now = timezone.now()
    early, late, old = now - timedelta(minutes=10), now - timedelta(minutes=3), now - timedelta(minutes=90)
    for n in range(3):
        SyncQueueItem.objects.create(entity="items", zoho_id=f"A{n}", payload={}, status="completed",
                                     completed_at=late)
    SyncQueueItem.objects.create(entity="items", zoho_id="OLD", payload={}, status="completed", completed_at=old)
    retrying = SyncQueueItem.objects.create(entity="items", zoho_id="R", payload={}, status="pending",
                                            last_error="ZohoError: 503")
    waiting = SyncQueueItem.objects.create(entity="items", zoho_id="W", payload={}, status="pending")
    SyncQueueItem.objects.filter(pk__in=[retrying.pk, waiting.pk]).update(updated_at=late)
    runs = [SyncRun.objects.create(run_type="incremental", entity="items", status="completed", created=4,
                                   updated=5, finished_at=early),
            # A queue drain's writes are the applied items already; a dry run writes nothing.
            SyncRun.objects.create(run_type="queue", status="completed", created=100, finished_at=early),
            SyncRun.objects.create(run_type="incremental", entity="bills", status="completed", dry_run=True,
                                   created=50, finished_at=early),
            SyncRun.objects.create(run_type="full", entity="customers", status="failed", finished_at=early,
                                   error_message="ZohoError: boom"),
            SyncRun.objects.create(run_type="full", entity="vendors", status="completed", created=70,
                                   finished_at=old)]
    assert len(runs) == 5
    letter = DeadLetter.objects.create(entity="items", zoho_id="D", error_class="permanent",
                                       error_type="ValueError", error_message="bad", payload={}, attempts=5)
    DeadLetter.objects.filter(pk=letter.pk).update(created_at=early)
    return {"early": early, "late": late}


def test_the_overview_charts_the_last_hour_minute_by_minute(staff_client, last_hour) -> None:
    html = staff_client.get("/tds-admin/").content.decode()
    chart = _chart(html)
    assert len(chart["x"]) == 60 and chart["x"] == sorted(chart["x"])
    assert all(b - a == 60 for a, b in zip(chart["x"], chart["x"][1:], strict=False))
    applied, written, errors = (chart["series"][k] for k in ("items applied", "records written by runs", "errors"))
    early, late = chart["x"].index(_minute(last_hour["early"])), chart["x"].index(_minute(last_hour["late"]))
    assert (applied[late], written[late], errors[late]) == (3, 0, 1)  # 3 applied, 1 attempt failed
    assert (applied[early], written[early], errors[early]) == (0, 9, 2)  # 4 + 5 written; a failed run, a letter
    assert (sum(applied), sum(written), sum(errors)) == (3, 9, 3)  # nothing from 90 minutes ago
    assert ("3 item(s) applied, 9 record(s) written by runs, 3 error(s): 1 failed queue attempt(s), "
            "1 dead letter(s), 1 failed run(s).") in html
    shown = timezone.localtime(last_hour["early"]).strftime("%H:%M")
    assert re.search(rf"<tr><td>{shown}</td><td>0</td><td>9</td><td>2</td><td>0</td><td>1</td><td>1</td></tr>", html)


def test_the_live_fragment_redraws_the_last_hour(staff_client, last_hour) -> None:
    html = staff_client.get("/tds-admin/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and sum(_chart(html)["series"]["items applied"]) == 3
    assert 'data-chart="chart-last-hour"' in html


def test_an_idle_hour_is_sixty_zero_minutes(staff_client) -> None:
    html = staff_client.get("/tds-admin/").content.decode()
    chart = _chart(html)
    assert [sum(values) for values in chart["series"].values()] == [0, 0, 0]
    assert "Nothing applied, written or failed in the last hour." in html
