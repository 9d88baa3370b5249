"""The search box, the search page and the trace page, as staff see them; bad input is a message."""
from __future__ import annotations

import pytest
from django.urls import reverse

from sync.models import DeadLetter
from tests.trace.helpers import write_invoice, write_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    write_item("1001", name="Blue widget", sku="W-1", rate=5, modified="2026-11-01T10:00:00+0000")
    write_item("1002", name="Red widget", sku="W-2", rate=7, modified="2026-11-01T10:00:00+0000")
    write_invoice("2001", number="INV-000042", customer="Widget Traders", modified="2026-11-02T10:00:00+0000")


def test_every_dashboard_page_has_the_search_box(staff_client):
    for name in ("dashboard:overview", "dashboard:history", "dashboard:queue", "dashboard:records"):
        body = staff_client.get(reverse(name)).content.decode()
        assert 'class="record-search"' in body and f'action="{reverse("dashboard:records")}"' in body, name


def test_search_groups_results_by_entity_and_links_each_trace(staff_client, records):
    body = staff_client.get(reverse("dashboard:records"), {"q": "widget"}).content.decode()
    assert 'id="group-items"' in body and 'id="group-invoices"' in body
    assert reverse("dashboard:record", args=["items", "1001"]) in body
    assert reverse("dashboard:record", args=["invoices", "2001"]) in body  # by its customer's name


def test_an_exact_sku_or_number_alone_opens_the_trace(staff_client, records):
    answer = staff_client.get(reverse("dashboard:records"), {"q": "W-2"})
    assert answer.status_code == 302 and answer["Location"] == reverse("dashboard:record", args=["items", "1002"])
    answer = staff_client.get(reverse("dashboard:records"), {"q": "inv-000042"})
    assert answer["Location"] == reverse("dashboard:record", args=["invoices", "2001"])


@pytest.mark.parametrize("q, message", [("x" * 101, "longer than 100"), ("a\x00b", "control characters")])
def test_a_bad_search_is_one_message(staff_client, q, message):
    answer = staff_client.get(reverse("dashboard:records"), {"q": q})
    assert answer.status_code == 200 and message in answer.content.decode()


def test_the_trace_page_shows_row_lines_links_timeline_and_buttons(staff_client, records):
    write_item("1001", name="Blue widget v2", sku="W-1", rate=6, modified="2026-11-03T10:00:00+0000")
    body = staff_client.get(reverse("dashboard:record", args=["items", "1001"])).content.decode()
    for part in ('id="record-fields"', 'id="record-timeline"', 'id="record-events"', 'id="record-dead-letters"',
                 "Compare with Zoho now", "Re-fetch and apply", "Blue widget v2"):
        assert part in body, part
    assert "Blue widget</td><td>Blue widget v2" in body.replace("\n", "")
    invoice = staff_client.get(reverse("dashboard:record", args=["invoices", "2001"])).content.decode()
    assert 'id="record-lines"' in invoice and reverse("dashboard:record", args=["items", "1001"]) in invoice


def test_the_trace_page_as_of_shows_the_old_values(staff_client, records):
    from django.utils import timezone

    then = timezone.now().isoformat()
    write_item("1001", name="Renamed", sku="W-1", rate=5, modified="2026-11-03T10:00:00+0000")
    body = staff_client.get(reverse("dashboard:record", args=["items", "1001"]), {"as_of": then}).content.decode()
    assert 'id="as-of"' in body and "<dt>name</dt><dd>Blue widget</dd>" in body
    bad = staff_client.get(reverse("dashboard:record", args=["items", "1001"]), {"as_of": "soon"})
    assert bad.status_code == 200 and "is not an ISO 8601 time" in bad.content.decode()


@pytest.mark.parametrize("entity, zoho_id, status, message", [
    ("gizmos", "1001", 400, "unknown entity"), ("items", "12ab", 400, "is not a Zoho id"),
    ("items", "999", 404, "no items record with Zoho id 999")])
def test_a_record_that_is_not_there_is_one_message(staff_client, records, entity, zoho_id, status, message):
    answer = staff_client.get(reverse("dashboard:record", args=[entity, zoho_id]))
    assert answer.status_code == status and message in answer.content.decode()


def test_open_dead_letters_are_listed_and_retried_from_the_page(staff_client, records):
    letter = DeadLetter.objects.create(entity="items", zoho_id="1001", error_class="permanent",
                                       error_type="MappingError", error_message="rate is not a number",
                                       payload={"item_id": "1001"}, attempts=5)
    body = staff_client.get(reverse("dashboard:record", args=["items", "1001"])).content.decode()
    assert f'id="dl-{letter.pk}"' in body and "rate is not a number" in body
    answer = staff_client.post(reverse("dashboard:record-retry", args=["items", "1001"]), {"ids": [str(letter.pk)]})
    assert answer.status_code == 302
    letter.refresh_from_db()
    assert letter.resolved and letter.queue_item is not None and letter.queue_item.status == "pending"


def test_pages_and_actions_are_staff_only(client, records):
    for url in (reverse("dashboard:records") + "?q=widget", reverse("dashboard:record", args=["items", "1001"])):
        assert client.get(url).status_code == 302
    assert client.post(reverse("dashboard:record-apply", args=["items", "1001"])).status_code == 302
    assert client.get(reverse("dashboard:record-compare", args=["items", "1001"])).status_code in (302, 405)


def test_the_events_list_follows_a_waiting_event_by_itself(staff_client, records):
    from sync.pipeline.inbox import inbox_add

    stored = inbox_add(source="poll", entity="items", zoho_id="1001", event_type="refetch",
                       record={"item_id": "1001", "name": "Blue widget", "sku": "W-1", "rate": 9,
                               "last_modified_time": "2026-11-05T10:00:00+0000"})
    url = reverse("dashboard:record", args=["items", "1001"])
    page = staff_client.get(url).content.decode()
    assert f'hx-get="{url}?fragment=events"' in page and f'id="event-{stored.event_id}"' in page
    fragment = staff_client.get(url, {"fragment": "events"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<section id="record-events"') and "<html" not in fragment
    assert 'class="outcome">waiting' in fragment
