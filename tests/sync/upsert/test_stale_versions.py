"""The stale-version guard holds against versions that lie: an undated version never replaces a dated
record (the record is fetched from Zoho instead), and a version stamped in the future is refused, so
it cannot block the real edits that follow it."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from sync import tasks
from sync.models import InboxEvent, Product
from sync.pipeline import refetch
from sync.pipeline.workers import drain_queue
from sync.pull.run import pull_entity
from sync.upsert.records import upsert_records
from tests.webhooks.helpers import deliver

DATED = {"item_id": "5001", "name": "Dated", "sku": "D-1", "rate": "10.00", "status": "active",
         "last_modified_time": "2025-11-18T02:02:51+0300"}


@pytest.mark.django_db
def test_an_undated_version_never_replaces_a_dated_record():
    upsert_records(entity="items", records=[DATED])
    undated = {**DATED, "name": "Undated", "last_modified_time": ""}
    result = upsert_records(entity="items", records=[undated], source="webhook")
    product = Product.objects.get(zoho_item_id="5001")
    assert (product.name, product.zoho_last_modified.isoformat()) == ("Dated", "2025-11-17T23:02:51+00:00")
    assert result.undated_ids == ["5001"] and result.skipped == 1 and not result.changed_ids


@pytest.mark.django_db
def test_a_version_from_the_future_is_refused_and_the_next_real_edit_wins():
    upsert_records(entity="items", records=[DATED])
    future = {**DATED, "name": "From 2999", "last_modified_time": "2999-01-01T00:00:00+0000"}
    refused = upsert_records(entity="items", records=[future])
    assert refused.failed == 1 and "is outside 2000-01-01 .. now + 5 minutes" in refused.errors[0]
    assert Product.objects.get(zoho_item_id="5001").name == "Dated"
    later = (timezone.now() + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S%z")
    upsert_records(entity="items", records=[{**DATED, "name": "Real edit", "last_modified_time": later}])
    assert Product.objects.get(zoho_item_id="5001").name == "Real edit"


@pytest.mark.django_db(transaction=True)
def test_an_undated_webhook_leads_to_a_fetch_of_the_record_from_zoho(live_server, sandbox, zoho_settings,
                                                                      monkeypatch, settings):
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    pull_entity(entity="items", full=True)
    item_id = sandbox.store.ids_of("items")[0]
    sandbox.store.edit("items", item_id, {"name": "Renamed in Zoho"})
    asked: list[dict] = []
    monkeypatch.setattr(refetch, "transaction", _Immediate(), raising=False)
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: asked.append(kw))

    stored_before = Product.objects.get(zoho_item_id=item_id)
    reply = deliver(live_server.url, {"item": {"item_id": item_id, "name": "Undated guess"}})
    assert reply.status == 200
    drain_queue(batch_size=50)
    assert Product.objects.get(zoho_item_id=item_id).name == stored_before.name  # the dated record stays

    assert asked and asked[0]["entity"] == "items" and asked[0]["zoho_ids"] == [item_id]
    assert tasks.refetch_records(entity="items", zoho_ids=[item_id]) == {"stored": 1}
    event = InboxEvent.objects.get(source="poll", zoho_id=item_id)
    assert json.loads(json.dumps(event.payload))["name"] == "Renamed in Zoho"
    drain_queue(batch_size=50)
    assert Product.objects.get(zoho_item_id=item_id).name == "Renamed in Zoho"


class _Immediate:
    """transaction.on_commit that runs at once (the test's deliveries commit on their own)."""

    @staticmethod
    def on_commit(fn):
        fn()
