"""Every read of the inbox, queue, dead letters and runs survives any value those tables can hold; the
claim cannot be stopped by one row; the quarantine leaves no unreadable value in a row it isolates."""
from __future__ import annotations

import io
import traceback
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client
from django.utils import timezone

from sync.api.tokens import token_create
from sync.models import DeadLetter, InboxEvent, Product, SyncLog, SyncQueueItem, SyncRun
from sync.pipeline.workers import drain_queue, reap_leases
from tests.sync.pipeline.corpus import Poisoned, poison_all, strictly_unreadable
from tests.webhooks.factories import store_event

pytestmark = pytest.mark.django_db(transaction=True)
ADMIN = {"syncqueueitem": SyncQueueItem, "inboxevent": InboxEvent, "deadletter": DeadLetter, "syncrun": SyncRun,
         "synclog": SyncLog}


class Walker:
    """Staff browser, staff API token and a plain user's token; every answer's status, 5xx with its traceback."""

    def __init__(self, django_user_model) -> None:
        staff = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True,
                                                      is_superuser=True)
        phone = django_user_model.objects.create_user("phone", "phone@example.com", "pw")
        self.browser = Client(raise_request_exception=False)
        self.browser.force_login(staff)
        self.staff = {"HTTP_AUTHORIZATION": f"Token {token_create(user=staff)[1]}"}
        self.user = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=phone)[1]}"}
        self.api = Client(raise_request_exception=False)
        self.failures: list[str] = []
        self._last_error = ""
        got_request_exception.connect(self._record)

    def _record(self, sender: object, request: object = None, **kwargs: object) -> None:
        self._last_error = traceback.format_exc(limit=-6)

    def check(self, method: str, url: str, response) -> object:
        if response.status_code >= 500:
            self.failures.append(f"{method} {url} -> {response.status_code}\n{self._last_error}")
        self._last_error = ""
        return response

    def page(self, url: str) -> object:
        return self.check("GET", url, self.browser.get(url))

    def get(self, url: str, *, as_user: bool = False) -> object:
        return self.check("GET", url, self.api.get(url, **(self.user if as_user else self.staff)))

    def post(self, url: str, data: dict | None = None) -> object:
        return self.check("POST", url, self.api.post(url, data or {}, content_type="application/json", **self.staff))

    def form(self, url: str, data: dict) -> object:
        return self.check("POST", url, self.browser.post(url, data))

    def close(self) -> None:
        got_request_exception.disconnect(self._record)


@pytest.fixture
def walker(django_user_model) -> Iterator[Walker]:
    walker = Walker(django_user_model)
    yield walker
    walker.close()


def walk_reads(walker: Walker, made: Poisoned) -> None:
    """Every page, admin screen and endpoint that lists or shows these rows."""
    for url in ("/tds-admin/", "/tds-admin/?fragment=1", "/tds-admin/runs/", "/tds-admin/runs/?fragment=1",
                "/tds-admin/runs/?status=failed", "/tds-admin/dead-letters/", "/tds-admin/queue/",
                "/tds-admin/queue/?fragment=1", "/tds-admin/triggers/", "/tds-admin/compare/", "/tds-admin/images/"):
        walker.page(url)
    for run_id in made.runs:
        walker.page(f"/tds-admin/runs/{run_id}/")
        walker.page(f"/tds-admin/runs/{run_id}/log.txt")
        walker.get(f"/api/tds/sync-runs/{run_id}")
    for name, model in ADMIN.items():
        walker.page(f"/admin/sync/{name}/")
        for pk in model.objects.values_list("pk", flat=True):
            walker.page(f"/admin/sync/{name}/{pk}/change/")
    for url in ("/api/tds/queue", "/api/tds/deadletter", "/api/tds/deadletter?resolved=all&detail=true&limit=500",
                "/api/tds/sync-runs", "/api/tds/sync-runs?page_size=200", "/api/tds/status", "/api/tds/health"):
        walker.get(url)
    _walk_run_pages(walker, made)
    for url in ("/api/bff/tds/recent", "/api/bff/tds/recent?limit=100", "/api/bff/tds/dashboard",
                "/api/bff/tds/runs", "/api/bff/tds/runs?entity_type=items", "/api/bff/tds/status",
                "/api/bff/tds/health"):
        walker.get(url, as_user=True)


def _walk_run_pages(walker: Walker, made: Poisoned) -> None:
    """Page through the run history by cursor, five at a time: every run comes once, whatever its times."""
    seen: list[str] = []
    url = "/api/tds/sync-runs?page_size=5"
    while url and len(seen) <= len(made.runs) + 50:
        answer = walker.get(url)
        if answer.status_code != 200:
            return
        seen += [run["id"] for run in answer.json()["results"]]
        url = answer.json()["next"]
    assert len(seen) == len(set(seen)) and set(made.runs) <= set(seen)


GOOD = ["9100", "9101", "9102"]


def _good_events() -> None:
    for zoho_id in GOOD:
        store_event("items", zoho_id, name=f"Good {zoho_id}", sku=f"G-{zoho_id}", rate="5.00", status="active")


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("tds_deadletter", *args, stdout=out)
    return out.getvalue()


def _drain() -> None:
    """What the workers do: promote, claim, mend or dead-letter, apply, until nothing is due; then the reaper."""
    drain_queue(batch_size=25, max_batches=200)
    reap_leases()
    drain_queue(batch_size=25, max_batches=200)


def _walk_retry_and_drain(walker: Walker) -> None:
    made = poison_all()
    _good_events()
    walk_reads(walker, made)
    listing = _command("list", "--all", "--limit", "500")
    assert f"{len(made.letters)} dead letter(s)" in listing and listing.count("\n") == len(made.letters) + 2

    opened = list(DeadLetter.objects.filter(resolved=False).values_list("id", flat=True))
    some = walker.post("/api/tds/deadletter/retry", {"ids": opened[:2]})
    assert (some.status_code, some.json()["requeued"]) == (200, 2)
    every = walker.post("/api/tds/deadletter/retry-all")
    assert (every.status_code, every.json()["requeued"]) == (200, len(opened) - 2)
    due = list(SyncQueueItem.objects.filter(status="pending", next_attempt_at__lte=timezone.now())
               .values_list("id", flat=True))
    _drain()

    assert set(GOOD) <= set(Product.objects.values_list("zoho_item_id", flat=True))
    walk_reads(walker, made)
    assert not walker.failures, "\n".join(walker.failures)
    # Whatever the workers and the reaper took in hand holds only readable values now, with its inbox event.
    waiting_items = SyncQueueItem.objects.filter(status__in=["pending", "processing"]).values_list("id", flat=True)
    taken = set(due) | set(waiting_items)
    assert strictly_unreadable(SyncQueueItem, sorted(taken)) == {}
    events = SyncQueueItem.objects.filter(id__in=taken, inbox_event__isnull=False).values_list("inbox_event", flat=True)
    waiting = InboxEvent.objects.filter(status="received").values_list("id", flat=True)
    assert strictly_unreadable(InboxEvent, sorted(set(events) | set(waiting))) == {}
    assert not strictly_unreadable(SyncQueueItem, list(DeadLetter.objects.filter(
        error_type__endswith="UnreadableRow").values_list("queue_item_id", flat=True)))


@pytest.mark.postgres
def test_every_read_retry_and_drain_survives_postgresqls_extremes(walker, settings):
    settings.TIME_ZONE = "Asia/Baghdad"  # a time at the edge of Python's range must survive the local clock too
    _walk_retry_and_drain(walker)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite corpus")
def test_every_read_retry_and_drain_survives_what_sqlite_can_hold(walker):
    # In UTC: Django's SQLite date functions move 9999-12-31 into the local zone in Python, past year 9999.
    _walk_retry_and_drain(walker)


# --- every way to retry dead letters, and the claim ---------------------------------------------


def _retry_api(walker: Walker, ids: list[int]) -> None:
    assert walker.post("/api/tds/deadletter/retry", {"ids": ids}).json()["requeued"] == len(ids)


def _retry_all_api(walker: Walker, ids: list[int]) -> None:
    assert walker.post("/api/tds/deadletter/retry-all").json()["requeued"] == len(ids)


def _retry_button(walker: Walker, ids: list[int]) -> None:
    walker.form("/tds-admin/dead-letters/retry", {"ids": [ids[0]], "confirm": "yes"})
    answer = walker.form("/tds-admin/dead-letters/retry", {"ids": ids[1:], "confirm": "yes"})
    assert answer.status_code == 302


def _retry_all_button(walker: Walker, ids: list[int]) -> None:
    answer = walker.form("/tds-admin/dead-letters/retry", {"all": "1", "confirm": "yes"})
    assert answer.status_code == 302
    page = walker.page("/tds-admin/dead-letters/").content.decode()
    assert "No open dead letters." in page


def _retry_admin_action(walker: Walker, ids: list[int]) -> None:
    answer = walker.form("/admin/sync/deadletter/", {"action": "retry_dead_letters", "_selected_action": ids})
    assert answer.status_code == 302


def _retry_command(walker: Walker, ids: list[int]) -> None:
    assert f"requeued {len(ids)}," in _command("retry", "--all")


@pytest.mark.parametrize("retry", [_retry_api, _retry_all_api, _retry_button, _retry_all_button,
                                   _retry_admin_action, _retry_command], ids=lambda f: f.__name__.strip("_"))
def test_every_way_to_retry_requeues_every_open_letter_whatever_it_holds(walker, retry):
    poison_all()
    _good_events()
    opened = list(DeadLetter.objects.filter(resolved=False).values_list("id", flat=True))
    with_items = list(DeadLetter.objects.filter(id__in=opened, queue_item__isnull=False)
                      .values_list("queue_item", flat=True))
    retry(walker, opened)
    assert not walker.failures, "\n".join(walker.failures)
    assert not DeadLetter.objects.filter(resolved=False).exists()
    requeued = SyncQueueItem.objects.filter(id__in=with_items)
    assert set(requeued.values_list("status", "attempts")) == {("pending", 0)}
    _drain()
    assert set(GOOD) <= set(Product.objects.values_list("zoho_item_id", flat=True))


def test_a_worn_out_attempt_counter_does_not_stop_the_claim():
    """The claim adds one to every claimed row's attempts in one statement; the largest value stays put
    (it used to fail the whole batch with "integer out of range", so no good event was ever claimed)."""
    from sync.pipeline.inbox import inbox_promote
    from sync.pipeline.kick import ATTEMPTS_CEILING
    from sync.pipeline.queue import queue_claim

    _good_events()
    inbox_promote()
    SyncQueueItem.objects.filter(zoho_id=GOOD[0]).update(attempts=ATTEMPTS_CEILING)
    claimed = queue_claim(worker="w", limit=10)
    assert {i.zoho_id: i.attempts for i in claimed} == {GOOD[0]: ATTEMPTS_CEILING, GOOD[1]: 1, GOOD[2]: 1}
