"""What a pull counts, against the sandbox over real HTTP: synced is what was written, seen is
what was read. An incremental pass re-reads the records of its overlap (the two minutes before the
watermark); finding them unchanged writes nothing and moves no "synced" figure."""
from __future__ import annotations

from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sync.models import SyncRun
from sync.pull.run import pull_entity
from sync.selectors.runs import runs_stats
from tests.sync.helpers import first_id

pytestmark = pytest.mark.django_db(transaction=True)


def _scraped(client: Any) -> dict[str, float]:
    """The items/pull series of the two record counters, as Prometheus reads them from /metrics."""
    reply = client.get("/metrics")
    assert reply.status_code == 200
    values = {"synced": 0.0, "seen": 0.0}
    for family in text_string_to_metric_families(reply.content.decode()):
        for sample in family.samples:
            if sample.labels == {"entity": "items", "source": "pull"} and sample.name in (
                    "tds_items_synced_total", "tds_items_seen_total"):
                values[sample.name.removeprefix("tds_items_").removesuffix("_total")] = sample.value
    return values


def test_an_overlap_reread_writes_nothing_and_an_edit_moves_synced_by_one(sb, zclient, client, settings):
    settings.TDS_METRICS_TOKEN = ""
    full = pull_entity(entity="items", full=True, client=zclient)
    assert (full.status, full.created) == ("completed", 120)
    assert _scraped(client) == {"synced": 120.0, "seen": 120.0}

    item_id = first_id(sb, "items")
    sb.store.edit("items", item_id, {"rate": 42.25})
    edited = pull_entity(entity="items", client=zclient)
    assert (edited.created, edited.updated, edited.failed) == (0, 1, 0)
    after_edit = _scraped(client)
    assert after_edit["synced"] == 121.0  # the edit, exactly once
    assert after_edit["seen"] == 120.0 + edited.processed

    # The watermark is now the edit's time: the next pass asks Zoho from two minutes before it,
    # gets the edited record back, and finds it identical to the mirror.
    overlap = pull_entity(entity="items", client=zclient)
    assert overlap.status == "completed" and overlap.unchanged >= 1
    assert (overlap.created, overlap.updated, overlap.processed) == (0, 0, overlap.unchanged)
    after_overlap = _scraped(client)
    assert after_overlap["synced"] == 121.0  # nothing written, nothing synced
    assert after_overlap["seen"] == after_edit["seen"] + overlap.unchanged

    row = SyncRun.objects.get(pk=overlap.run_id)
    assert (row.processed, row.created, row.updated, row.unchanged) == (overlap.unchanged, 0, 0, overlap.unchanged)
    stats = runs_stats()
    assert stats["total_synced_24h"] == 121
    assert stats["total_seen_24h"] == 120 + edited.processed + overlap.processed


def test_the_dashboard_shows_records_synced_and_seen_apart(sb, zclient, staff_client):
    pull_entity(entity="items", full=True, client=zclient)
    sb.store.edit("items", first_id(sb, "items"), {"rate": 42.25})
    pull_entity(entity="items", client=zclient)
    overlap = pull_entity(entity="items", client=zclient)
    stats = runs_stats()
    assert stats["total_synced_24h"] == 121 and stats["total_seen_24h"] > 121
    overview = staff_client.get("/tds-admin/").content.decode()
    assert f"121 records synced (written), {stats['total_seen_24h']} seen" in overview
    history = staff_client.get("/tds-admin/runs/").content.decode()
    assert "<th>Seen</th><th>Created</th><th>Updated</th><th>Unchanged</th>" in history
    run = staff_client.get(f"/tds-admin/runs/{overlap.run_id}/").content.decode()
    assert f"seen {overlap.processed} · created 0 · updated 0 · unchanged {overlap.unchanged}" in run
