"""The dead-letter queue from the command line and the API; queue health."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sync.api.tokens import token_create
from sync.models import DeadLetter, SyncQueueItem
from sync.pipeline.inbox import inbox_promote
from sync.pipeline.queue import queue_claim
from sync.pipeline.workers import drain_queue
from tests.webhooks.factories import store_event
from tests.webhooks.helpers import RecordingApply

pytestmark = pytest.mark.django_db


@pytest.fixture
def letters() -> list[DeadLetter]:
    for zoho_id in ("D1", "D2", "D3"):
        store_event("items", zoho_id, name=f"bad {zoho_id}")
    drain_queue(apply=RecordingApply(fail_with=ValueError("cannot map")))
    return list(DeadLetter.objects.order_by("id"))


def _run(*args: str) -> str:
    out = StringIO()
    call_command("tds_deadletter", *args, stdout=out)
    return out.getvalue()


def test_command_lists_open_letters(letters):
    out = _run("list")
    assert "3 dead letter(s) open" in out
    assert "D1" in out and "permanent" in out and "ValueError: cannot map" in out


def test_command_retries_by_id_and_all(letters):
    assert "requeued 1, skipped 0" in _run("retry", "--id", str(letters[0].id))
    assert "requeued 2" in _run("retry", "--all")
    assert SyncQueueItem.objects.filter(status="pending").count() == 3
    assert DeadLetter.objects.filter(resolved=False).count() == 0
    with pytest.raises(CommandError, match="no open dead letter"):
        _run("retry", "--id", str(letters[0].id))


def test_command_discards_and_purges(letters):
    assert "discarded 2" in _run("discard", "--id", str(letters[0].id), str(letters[1].id))
    assert DeadLetter.objects.get(id=letters[0].id).resolution == "discarded"
    assert "1 dead letter(s) open" in _run("list")
    DeadLetter.objects.filter(id=letters[2].id).update(created_at=timezone.now() - timedelta(days=40))
    assert "purged 1 dead letter(s)" in _run("purge", "--older-than", "30")
    assert DeadLetter.objects.count() == 2


@pytest.fixture
def staff_token(django_user_model) -> str:
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    return token_create(user=user)[1]


def test_api_lists_and_retries_dead_letters(client, letters, staff_token):
    auth = {"HTTP_AUTHORIZATION": f"Token {staff_token}"}
    listing = client.get("/api/tds/deadletter", **auth).json()
    assert listing["count"] == 3 and listing["open"] == 3
    assert {r["zoho_id"] for r in listing["results"]} == {"D1", "D2", "D3"}
    assert "traceback" not in listing["results"][0]
    detail = client.get("/api/tds/deadletter?detail=true&limit=1", **auth).json()
    assert "Traceback" in detail["results"][0]["traceback"] and detail["results"][0]["payload"]["name"]
    one = client.post("/api/tds/deadletter/retry", {"ids": [letters[0].id]}, content_type="application/json", **auth)
    assert one.json() == {"status": "ok", "requeued": 1, "skipped": 0, "not_found": []}
    rest = client.post("/api/tds/deadletter/retry-all", **auth)
    assert rest.json() == {"status": "ok", "requeued": 2, "skipped": 0, "not_found": []}
    assert client.get("/api/tds/deadletter", **auth).json()["open"] == 0


def test_api_refuses_bad_ids_with_json(client, staff_token):
    reply = client.post("/api/tds/deadletter/retry", {"ids": "all"}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Token {staff_token}")
    assert reply.status_code == 400
    assert reply["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path,method", [
    ("/api/tds/deadletter", "get"), ("/api/tds/deadletter/retry", "post"),
    ("/api/tds/deadletter/retry-all", "post"), ("/api/tds/queue", "get"),
])
def test_admin_endpoints_refuse_anonymous_and_non_staff(client, django_user_model, path, method):
    assert getattr(client, method)(path).status_code in (401, 403)
    user = django_user_model.objects.create_user("plain", "p@example.com", "pw")
    token = token_create(user=user)[1]
    assert getattr(client, method)(path, HTTP_AUTHORIZATION=f"Token {token}").status_code == 403


def test_queue_health_shows_counts_age_throughput_and_stuck_items(client, staff_token):
    for n in range(4):
        store_event("items", f"Q{n}")
    store_event("invoices", "INV")
    inbox_promote(limit=100)
    drain_queue(apply=RecordingApply(), max_batches=1, batch_size=2)
    queue_claim(worker="ghost", limit=1, lease_seconds=30)
    SyncQueueItem.objects.filter(locked_by="ghost").update(locked_until=timezone.now() - timedelta(seconds=90))
    health = client.get("/api/tds/queue", HTTP_AUTHORIZATION=f"Token {staff_token}").json()
    assert health["by_status"] == {"completed": 2, "processing": 1, "pending": 2}
    assert health["pending_by_priority"] == {"4": 2}
    assert health["oldest_pending_age_seconds"] >= 0
    assert health["throughput"]["last_5_min"] == 2
    assert health["stuck"]["count"] == 1
    stuck = health["stuck"]["items"][0]
    assert stuck["locked_by"] == "ghost" and stuck["overdue_seconds"] >= 89
    assert set(health["webhooks_rejected"]) >= {"signature_bad", "signature_missing", "http_413"}
