"""The record trace against the Zoho sandbox over real HTTP: edits pulled with their run, compare and
re-fetch through the inbox, superseded and dead-lettered events, retry from the page."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sync.models import DeadLetter, InboxEvent, Product, SyncQueueItem
from sync.pipeline.inbox import inbox_add
from sync.pipeline.workers import drain_queue
from sync.pull.run import pull_entity
from sync.trace.compare import record_compare, record_refetch_apply
from sync.trace.record import record_trace
from tests.sync.helpers import first_id

pytestmark = pytest.mark.django_db(transaction=True)


def _budget_calls(entity: str) -> int:
    """Zoho calls the API budget counted for an entity: written ones and those still buffered."""
    from django.db.models import Sum

    from sync.budget.usage import usage_pending
    from sync.models import ApiUsage

    written = ApiUsage.objects.filter(entity=entity).aggregate(n=Sum("calls"))["n"] or 0
    return written + sum(calls for (_day, name, *_rest), calls in usage_pending().items() if name == entity)


@pytest.fixture
def items_pulled(sb, zclient):
    assert pull_entity(entity="warehouses", client=zclient, full=True).status == "completed"
    assert pull_entity(entity="items", client=zclient, full=True).status == "completed"
    return first_id(sb, "items")


def test_an_edit_pulled_shows_in_the_timeline_with_its_run_and_as_of_before_it_gives_the_old_value(
        sb, zclient, items_pulled):
    item_id = items_pulled
    old_name = Product.objects.get(zoho_item_id=item_id).name
    before_edit = timezone.now()
    sb.store.edit("items", item_id, {"name": "Renamed in Zoho", "rate": 77.25})
    run = pull_entity(entity="items", client=zclient)
    assert run.updated == 1
    trace = record_trace("items", item_id)
    edits = {e["field"]: e for e in trace["timeline"] if e["action"] == "update"}
    assert edits["name"]["old"] == old_name and edits["name"]["new"] == "Renamed in Zoho"
    assert edits["name"]["run_id"] == str(run.run_id) and edits["unit_price"]["new"] == "77.25"
    assert str(run.run_id) in {r["id"] for r in trace["runs"]}
    assert trace["timeline"][-1]["action"] == "create"
    then = record_trace("items", item_id, as_of=before_edit)["as_of"]
    assert then["existed"] and then["fields"]["name"] == old_name and then["changes_undone"] >= 2
    assert record_trace("items", item_id, as_of=timezone.now())["as_of"]["fields"]["name"] == "Renamed in Zoho"


def test_compare_shows_exactly_the_fields_edited_in_zoho_and_refetch_and_apply_makes_them_disappear(
        sb, zclient, items_pulled):
    item_id = items_pulled
    assert record_compare("items", item_id, client=zclient).same
    sb.store.edit("items", item_id, {"name": "Edited, not pulled", "rate": 12.5})
    calls, counted = zclient.stats.total, _budget_calls("items")
    comparison = record_compare("items", item_id, client=zclient)
    assert zclient.stats.total == calls + 1  # one detail call, counted in the API budget
    assert _budget_calls("items") == counted + 1
    assert {d["field"] for d in comparison.differences} == {"name", "unit_price"}
    assert {d["field"]: d["zoho"] for d in comparison.differences} == {"name": "Edited, not pulled",
                                                                        "unit_price": "12.5"}
    applied = record_refetch_apply("items", item_id, client=zclient)
    event = InboxEvent.objects.get(pk=applied.inbox_event_id)
    assert (event.source, event.event_type, event.status) == ("poll", "refetch", "received")
    drain_queue()
    assert record_compare("items", item_id, client=zclient).same
    outcome = {e["inbox_event_id"]: e["outcome"] for e in record_trace("items", item_id)["events"]}
    assert outcome[applied.inbox_event_id] == "applied"
    assert Product.objects.get(zoho_item_id=item_id).name == "Edited, not pulled"


def test_document_lines_are_compared_line_by_line(sb, zclient):
    for entity in ("customers", "warehouses", "items", "invoices"):
        assert pull_entity(entity=entity, client=zclient, full=True).status == "completed"
    invoice_id = first_id(sb, "invoices")
    assert record_compare("invoices", invoice_id, client=zclient).same
    detail = sb.store.detail("invoices", invoice_id)
    lines = [dict(line) for line in detail["line_items"]]
    lines[0]["quantity"] = float(lines[0]["quantity"]) + 3
    sb.store.edit("invoices", invoice_id, {"line_items": lines})
    comparison = record_compare("invoices", invoice_id, client=zclient)
    assert comparison.lines_compared and not comparison.same
    changed = comparison.lines["changed"]
    assert [c["key"] for c in changed] == [str(lines[0]["line_item_id"])]
    assert "quantity" in {d["field"] for d in changed[0]["fields"]}
    trace = record_trace("invoices", invoice_id)
    assert len(trace["lines"]) == len(lines) and trace["links"][0]["entity"] == "customers"


def _ago(seconds: int) -> str:
    return (timezone.now() - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _webhook(record: dict, moment: str) -> int:
    body = {**record, "last_modified_time": moment}
    stored = inbox_add(source="webhook", entity="items", record={"item": body}, zoho_id=str(record["item_id"]),
                       event_type="updated")
    assert stored.event_id is not None
    return stored.event_id


def test_a_webhook_superseded_by_a_newer_one_shows_as_superseded(sb, items_pulled):
    item_id = items_pulled
    record = sb.store.detail("items", item_id)
    older = _webhook({**record, "name": "Older"}, _ago(20))
    newer = _webhook({**record, "name": "Newer"}, _ago(10))
    drain_queue()
    outcome = {e["inbox_event_id"]: (e["outcome"], e["reason"]) for e in record_trace("items", item_id)["events"]}
    assert outcome[newer][0] == "applied"
    assert outcome[older][0] == "superseded" and "newer version" in outcome[older][1]
    assert Product.objects.get(zoho_item_id=item_id).name == "Newer"


def test_a_dead_lettered_event_shows_its_reason_and_is_retried_from_the_page(sb, items_pulled, staff_client):
    item_id = items_pulled
    record = sb.store.detail("items", item_id)
    bad = _webhook({**record, "rate": "not a number"}, _ago(5))
    drain_queue()
    trace = record_trace("items", item_id)
    row = next(e for e in trace["events"] if e["inbox_event_id"] == bad)
    assert row["outcome"] == "dead-lettered" and "unit_price" in row["reason"]
    letter = DeadLetter.objects.get(zoho_id=item_id, resolved=False)
    page = staff_client.get(reverse("dashboard:record", args=["items", item_id]))
    assert page.status_code == 200 and f'id="dl-{letter.pk}"' in page.content.decode()
    retried = staff_client.post(reverse("dashboard:record-retry", args=["items", item_id]), {"ids": [letter.pk]})
    assert retried.status_code == 302
    letter.refresh_from_db()
    assert letter.resolved and letter.resolution == "retried"
    assert SyncQueueItem.objects.get(pk=letter.queue_item_id).status == "pending"
    assert record_trace("items", item_id)["dead_letters"] == []


def test_compare_and_apply_from_the_page_and_the_api(sb, zclient, items_pulled, staff_client):
    item_id = items_pulled
    sb.store.edit("items", item_id, {"name": "Page edit"})
    page = staff_client.post(reverse("dashboard:record-compare", args=["items", item_id]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="comparison"' in body and "Page edit" in body
    answer = staff_client.get(reverse("api:record", args=["items", item_id]) + "?compare=true")
    assert answer.status_code == 200
    assert [d["field"] for d in answer.json()["comparison"]["differences"]] == ["name"]
    applied = staff_client.post(reverse("dashboard:record-apply", args=["items", item_id]), follow=True)
    assert b"inbox event" in applied.content
    drain_queue()
    after = staff_client.get(reverse("dashboard:record", args=["items", item_id])).content.decode()
    assert "Page edit" in after and 'class="outcome">applied' in after
    assert json.loads(staff_client.get(reverse("api:record", args=["items", item_id]) + "?compare=1")
                      .content)["comparison"]["same"] is True


def test_a_record_zoho_does_not_have_is_one_line_on_the_page_the_api_and_the_command(sb, zclient, staff_client):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from tests.trace.helpers import write_item

    write_item("999", name="Only here", sku="ONLY-1", rate=1, modified="2026-11-01T10:00:00+0000")
    answer = staff_client.get(reverse("api:record", args=["items", "999"]) + "?compare=true")
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert "Zoho has no items record with id 999" in answer.json()["message"]
    page = staff_client.post(reverse("dashboard:record-compare", args=["items", "999"]))
    assert page.status_code == 200 and "Zoho has no items record with id 999" in page.content.decode()
    applied = staff_client.post(reverse("dashboard:record-apply", args=["items", "999"]), follow=True)
    assert "Zoho has no items record with id 999" in applied.content.decode()
    assert not InboxEvent.objects.exists()  # nothing stored
    with pytest.raises(CommandError, match="Zoho has no items record with id 999"):
        call_command("tds_trace", "items", "999", "--compare", stdout=StringIO())
