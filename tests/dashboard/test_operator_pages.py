"""What an operator relies on: the workers panel and its pause switches, a page per dead letter and per
queue item linked from the lists, filters and "discard all matching", an expired session on a live box,
and an overview that says who is logged in, when things happened and why the health score is what it is."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sync.models import DeadLetter, InboxEvent, PauseSwitch, ProcessHeartbeat, SyncQueueItem, SyncRun

pytestmark = pytest.mark.django_db


# --- workers panel and pause ---------------------------------------------------------------------


def test_the_workers_panel_lists_each_process_with_host_pid_times_and_current_task(staff_client) -> None:
    now = timezone.now()
    ProcessHeartbeat.objects.create(key="web1:40:c1", kind="cluster", name="juliet-kilo", host="web1", pid=40,
                                    started_at=now - timedelta(hours=2), beat_at=now,
                                    details={"guard_pid": 41, "workers": 1, "broker": "orm"})
    ProcessHeartbeat.objects.create(key="web1:42:w", kind="q_worker", host="web1", pid=42, parent_pid=41,
                                    started_at=now, beat_at=now, current="tds: drain queue", current_since=now)
    ProcessHeartbeat.objects.create(key="web2:77:x", kind="worker", name="tds_worker", host="web2", pid=77,
                                    started_at=now, beat_at=now - timedelta(minutes=5), current="queue run 9")
    html = staff_client.get("/tds-admin/workers/").content.decode()
    assert "cluster juliet-kilo" in html and "<td>web1</td><td>40</td>" in html and "<td>42</td>" in html
    assert "tds: drain queue" in html and "web2:77:x" in html and "silent" in html  # five minutes without a beat
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", html)  # one format, its zone named
    fragment = staff_client.get("/tds-admin/workers/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "juliet-kilo" in fragment


def test_pause_and_resume_from_the_overview_are_stored_and_shown(staff_client) -> None:
    html = staff_client.get("/tds-admin/").content.decode()
    assert "Queue drain: running" in html and "Schedules: running" in html
    answer = staff_client.post(reverse("dashboard:pause"), {"name": "queue", "paused": "1", "next": "overview"},
                               follow=True)
    assert answer.redirect_chain[-1][0] == "/tds-admin/"
    html = answer.content.decode()
    assert "Queue drain paused: nothing new starts until it is resumed." in html
    assert "Queue drain: paused" in html and "Resume queue drain" in html
    switch = PauseSwitch.objects.get(name="queue")
    assert switch.paused and switch.changed_by == "staff"
    staff_client.post(reverse("dashboard:pause"), {"name": "queue", "paused": "0"})
    assert not PauseSwitch.objects.get(name="queue").paused
    answer = staff_client.post(reverse("dashboard:pause"), {"name": "nope", "paused": "1"}, follow=True)
    assert "no pause switch &#x27;nope&#x27;" in answer.content.decode()


def test_a_non_staff_user_cannot_pause(plain_client) -> None:
    plain_client.post(reverse("dashboard:pause"), {"name": "queue", "paused": "1"})
    assert not PauseSwitch.objects.filter(paused=True).exists()


# --- item pages, filters, discard all matching ----------------------------------------------------


@pytest.fixture
def letter_with_history(db):
    event = InboxEvent.objects.create(entity="items", zoho_id="Z9", event_type="item.updated", dedupe_key="z9",
                                      payload={"item": {"item_id": "Z9", "name": "Ninth"}}, status="failed",
                                      error="mapping failed")
    item = SyncQueueItem.objects.create(entity="items", zoho_id="Z9", payload={"item_id": "Z9", "name": "Ninth"},
                                        status="dead", attempts=5, last_error="MappingError: no sku",
                                        inbox_event=event)
    letter = DeadLetter.objects.create(queue_item=item, entity="items", zoho_id="Z9", error_class="permanent",
                                       error_type="sync.pipeline.retry.MappingError", error_message="no sku",
                                       traceback='Traceback (most recent call last):\n  File "x.py"\nMappingError',
                                       payload={"item_id": "Z9", "name": "Ninth"}, attempts=5)
    return {"event": event, "item": item, "letter": letter}


def test_a_dead_letter_page_shows_the_error_traceback_payload_attempts_and_inbox_event(
        staff_client, letter_with_history) -> None:
    letter, item, event = (letter_with_history[k] for k in ("letter", "item", "event"))
    html = staff_client.get(reverse("dashboard:dead-letter", args=[letter.pk])).content.decode()
    assert "no sku" in html and "Traceback (most recent call last):" in html
    assert "&quot;item_id&quot;: &quot;Z9&quot;,\n  &quot;name&quot;: &quot;Ninth&quot;" in html  # pretty JSON
    assert "5 on the queue" in html and reverse("dashboard:queue-item", args=[item.pk]) in html
    assert f"{event.id} · webhook · item.updated" in html and "mapping failed" in html
    listed = staff_client.get("/tds-admin/dead-letters/").content.decode()
    assert f'href="{reverse("dashboard:dead-letter", args=[letter.pk])}"' in listed
    assert staff_client.get(reverse("dashboard:dead-letter", args=[letter.pk + 1000])).status_code == 404


def test_a_queue_item_page_shows_its_state_error_payload_letters_and_event(staff_client, letter_with_history) -> None:
    item, letter = letter_with_history["item"], letter_with_history["letter"]
    html = staff_client.get(reverse("dashboard:queue-item", args=[item.pk])).content.decode()
    assert "MappingError: no sku" in html and "&quot;name&quot;: &quot;Ninth&quot;" in html
    assert reverse("dashboard:dead-letter", args=[letter.pk]) in html and "item.updated" in html
    queue = staff_client.get("/tds-admin/queue/").content.decode()
    assert f'href="{reverse("dashboard:queue-item", args=[item.pk])}"' in queue  # the list shows the items
    assert staff_client.get(reverse("dashboard:queue-item", args=[item.pk + 1000])).status_code == 404


def _letter(entity: str, error_class: str, message: str) -> DeadLetter:
    return DeadLetter.objects.create(entity=entity, zoho_id=message[:8], error_class=error_class,
                                     error_type="ValueError", error_message=message, payload={})


def test_lists_filter_by_entity_class_and_text_and_refuse_what_no_filter_can_be(staff_client) -> None:
    _letter("items", "permanent", "price missing")
    _letter("items", "transient", "timeout talking to zoho")
    _letter("customers", "permanent", "email refused")
    html = staff_client.get("/tds-admin/dead-letters/?entity=items&error_class=permanent").content.decode()
    assert "price missing" in html and "timeout talking" not in html and "email refused" not in html
    html = staff_client.get("/tds-admin/dead-letters/?text=TIMEOUT").content.decode()
    assert "timeout talking" in html and "price missing" not in html
    html = staff_client.get("/tds-admin/dead-letters/?entity=nope&text=a%00b").content.decode()
    assert "No entity &#x27;nope&#x27;: that filter was left out." in html and "No text" in html
    SyncQueueItem.objects.create(entity="items", zoho_id="A1", status="failed", last_error="bad price")
    SyncQueueItem.objects.create(entity="customers", zoho_id="C1", status="pending")
    html = staff_client.get("/tds-admin/queue/?entity=customers").content.decode()
    assert "C1" in html and "bad price" not in html
    html = staff_client.get("/tds-admin/queue/?status=failed&text=price", HTTP_HX_REQUEST="true").content.decode()
    assert "bad price" in html and "C1" not in html


def test_discard_all_matching_asks_then_discards_only_what_matches(staff_client) -> None:
    keep = _letter("items", "transient", "timeout")
    gone = [_letter("items", "permanent", f"bad {n}") for n in range(3)]
    other = _letter("customers", "permanent", "bad customer")
    form = {"matching": "1", "entity": "items", "error_class": "permanent"}
    ask = staff_client.post(reverse("dashboard:dead-letters-discard"), form).content.decode()
    assert "Discard all 3 open dead letter(s) matching entity &#x27;items&#x27;, error class" in ask
    assert not DeadLetter.objects.filter(resolved=True).exists()
    done = staff_client.post(reverse("dashboard:dead-letters-discard"), {**form, "confirm": "yes"}, follow=True)
    assert "Discarded 3 dead letter(s)." in done.content.decode()
    assert done.redirect_chain[-1][0] == "/tds-admin/dead-letters/?entity=items&error_class=permanent"
    assert set(DeadLetter.objects.filter(resolved=True).values_list("id", flat=True)) == {g.id for g in gone}
    assert not DeadLetter.objects.filter(id__in=[keep.id, other.id], resolved=True).exists()


# --- an expired session on a live box ----------------------------------------------------------------


def test_an_expired_session_on_an_htmx_request_sends_the_browser_to_the_login_keeping_next() -> None:
    answer = Client().get("/tds-admin/dead-letters/?fragment=1&entity=items", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/tds-admin/dead-letters/?entity=items")
    assert answer.status_code == 200 and answer.content == b""  # nothing drawn inside the box
    target = urlsplit(answer["HX-Redirect"])
    assert target.path == "/admin/login/"
    assert parse_qs(target.query)["next"] == ["/tds-admin/dead-letters/?entity=items"]
    # Without HX-Current-URL (or naming another site), the page asked for, without the fragment switch.
    answer = Client().get("/tds-admin/?fragment=1", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="https://evil.example/tds-admin/x")
    assert parse_qs(urlsplit(answer["HX-Redirect"]).query)["next"] == ["/tds-admin/"]
    whole = Client().get("/tds-admin/")  # a whole page is still an ordinary redirect
    assert whole.status_code == 302 and whole["Location"].startswith("/admin/login/")


# --- the overview explains itself ---------------------------------------------------------------------


def test_the_overview_shows_the_user_logout_favicon_one_time_format_and_the_health_breakdown(staff_client) -> None:
    SyncRun.objects.create(run_type="compare", trigger="schedule", status="completed", summary={
        "comparisons": [{"entity": "items", "match_pct": 99.0}], "overall_match_pct": 99.0, "recommendations": [],
        "health": {"score": 88.0, "band": "WARNING", "components": {
            "match_pct": 99.0, "structure": {"entities": [], "penalty": 0.0},
            "dead_letters": {"transient": 1, "permanent": 5, "penalty": 11.0},
            "failed_runs_24h": {"count": 0, "penalty": 0.0},
            "staleness": {"stale_entities": [], "interval_hours": 6, "penalty": 0.0}}}})
    from sync.models import SyncCursor

    SyncCursor.objects.create(entity="items", last_incremental_run_at=timezone.now())
    html = staff_client.get("/tds-admin/").content.decode()
    assert 'class="who">staff' in html and 'action="/admin/logout/"' in html and "Log out" in html
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert "<th>dead letters</th><td>-11.0</td><td>1 transient, 5 permanent open</td>" in html
    assert "<th>data match</th><td>99.0</td>" in html
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</td>", html)  # the freshness row's time


def test_tables_scroll_inside_their_box_and_buttons_wrap_on_a_phone() -> None:
    from django.contrib.staticfiles import finders

    text = open(finders.find("css/base.css")).read()
    assert "main table { display: block; max-width: 100%; overflow-x: auto; }" in text
    assert "@media (max-width: 600px)" in text


def test_the_new_pages_read_a_fixed_number_of_queries_whatever_the_rows(staff_client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def seed(count: int) -> None:
        now = timezone.now()
        for n in range(count):
            event = InboxEvent.objects.create(entity="items", zoho_id=f"N{n}", dedupe_key=f"n-{count}-{n}")
            item = SyncQueueItem.objects.create(entity="items", zoho_id=f"N{n}", status="failed",
                                                inbox_event=event)
            DeadLetter.objects.create(queue_item=item, entity="items", zoho_id=f"N{n}", error_class="permanent",
                                      error_message="x", payload={})
            ProcessHeartbeat.objects.create(key=f"h:{count}:{n}", kind="worker", host="h", pid=n, started_at=now,
                                            beat_at=now)

    def queries() -> dict[str, int]:
        letter, item = DeadLetter.objects.first(), SyncQueueItem.objects.first()
        counts = {}
        for url in ("/tds-admin/", "/tds-admin/workers/", "/tds-admin/dead-letters/", "/tds-admin/queue/",
                    reverse("dashboard:dead-letter", args=[letter.pk]),
                    reverse("dashboard:queue-item", args=[item.pk])):
            staff_client.get(url)  # the first look fills caches (tunables, the budget's mirror)
            with CaptureQueriesContext(connection) as captured:
                assert staff_client.get(url).status_code == 200
            counts[url.split("/")[2]] = len(captured)
        return counts

    seed(3)
    few = queries()
    seed(30)
    assert queries() == few
