"""Under many callers: a token's row and the polled read answers are remembered, never past a change."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from sync.api import fresh
from sync.api.tokens import token_create, tokens_revoke
from sync.models import SyncQueueItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth_cache(settings):
    settings.TDS_API_AUTH_CACHE_SECONDS = 60


def _client(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def _token_queries(api: APIClient, path: str = "/api/bff/tds/runs") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = api.get(path).status_code
    return status, sum("knox_authtoken" in q["sql"] for q in queries.captured_queries)


def test_a_token_is_looked_up_once_then_from_the_cache(auth_cache, django_user_model):
    key = token_create(user=django_user_model.objects.create_user("phone", "p@example.com", "pw"))[1]
    api = _client(key)
    assert _token_queries(api) == (200, 1)
    assert _token_queries(api) == (200, 0)
    assert _token_queries(_client(key[:-1] + ("0" if key[-1] != "0" else "1"))) == (401, 1)  # a guess: the database


def test_revoking_a_token_or_deactivating_its_user_takes_effect_at_once(auth_cache, django_user_model):
    user = django_user_model.objects.create_user("phone", "p@example.com", "pw")
    key = token_create(user=user)[1]
    api = _client(key)
    assert _token_queries(api) == (200, 1) and _token_queries(api) == (200, 0)
    user.is_active = False
    user.save()
    assert api.get("/api/bff/tds/runs").status_code == 401
    user.is_active = True
    user.save()
    assert api.get("/api/bff/tds/runs").status_code == 200
    assert api.get("/api/tds/status").status_code == 403
    user.is_staff = True
    user.save()
    assert api.get("/api/tds/status").status_code == 200  # staff given: seen at once, not after the timeout
    tokens_revoke(user=user)
    assert api.get("/api/bff/tds/runs").status_code == 401


def test_a_change_no_signal_reports_is_seen_within_the_cache_lifetime(settings, django_user_model):
    # As a revocation in another web process: this one learns it when its entry ends.
    settings.TDS_API_AUTH_CACHE_SECONDS = 1
    user = django_user_model.objects.create_user("phone", "p@example.com", "pw")
    token, key = token_create(user=user)
    api = _client(key)
    assert _token_queries(api) == (200, 1)
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    assert api.get("/api/bff/tds/runs").status_code == 200
    time.sleep(1.05)
    reply = api.get("/api/bff/tds/runs")
    assert reply.status_code == 401 and reply.json()["error"] == "token_expired"


def test_read_answers_may_be_a_second_old_and_a_burst_computes_once(settings, staff_api, monkeypatch):
    settings.TDS_API_READ_CACHE_SECONDS = 0.3
    fresh.fresh_clear()
    first = staff_api.get("/api/bff/tds/status").json()
    SyncQueueItem.objects.create(entity="items", zoho_id="1", status="pending")
    assert staff_api.get("/api/bff/tds/status").json() == first  # within the second: the same answer
    time.sleep(0.35)
    assert staff_api.get("/api/bff/tds/status").json()["queue_size"] == first["queue_size"] + 1

    # Many threads asking at once while the answer is computed: one computation, every thread its result.
    calls, gate = [], threading.Event()

    def slow() -> int:
        calls.append(1)
        gate.wait(5)
        return len(calls)

    fresh.fresh_clear()
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(fresh.fresh("burst", slow))) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert answers == [1] * 8 and len(calls) == 1


def test_with_the_cache_off_every_read_is_computed(settings, staff_api):
    settings.TDS_API_READ_CACHE_SECONDS = 0
    first = staff_api.get("/api/bff/tds/status").json()
    SyncQueueItem.objects.create(entity="items", zoho_id="1", status="pending")
    assert staff_api.get("/api/bff/tds/status").json()["queue_size"] == first["queue_size"] + 1
