"""Users, tokens and clients for the HTTP API tests."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sync.api.tokens import token_create

ADMIN_GET = ["/api/tds/status", "/api/tds/sync-runs", "/api/tds/queue", "/api/tds/deadletter"]
ADMIN_POST = ["/api/tds/sync", "/api/tds/stock/sync", "/api/tds/deadletter/retry", "/api/tds/deadletter/retry-all"]
BFF_GET = ["/api/bff/tds/status", "/api/bff/tds/recent", "/api/bff/tds/health", "/api/bff/tds/dashboard",
           "/api/bff/tds/runs", "/api/bff/tds/sync/stock/stats"]
BFF_POST = ["/api/bff/tds/sync/stock", "/api/bff/tds/sync/stock/specific?item_ids=1"]


@pytest.fixture
def staff_token(django_user_model) -> str:
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    return token_create(user=user)[1]


@pytest.fixture
def user_token(django_user_model) -> str:
    user = django_user_model.objects.create_user("phone", "phone@example.com", "pw")
    return token_create(user=user)[1]


@pytest.fixture
def staff_api(staff_token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")
    return api


@pytest.fixture
def user_api(user_token) -> APIClient:
    """A plain (non-staff) user, authenticated the way the mobile app does: Bearer."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {user_token}")
    return api


@pytest.fixture
def no_throttle(monkeypatch):
    """Writes are never throttled and leave no throttle history behind (the cache outlives the test; on
    SQLite a later test's user may get the same id)."""
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture
def cluster_inline(monkeypatch):
    """django-q2 runs queued tasks at once in this process (its sync mode)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def assert_shape(body: dict, shape: dict) -> None:
    """Every field of ``shape`` is present with its type (a tuple allows several, None allows null)."""
    for name, kind in shape.items():
        assert name in body, f"missing {name!r} in {sorted(body)}"
        value = body[name]
        if isinstance(kind, dict):
            assert isinstance(value, dict), f"{name} is {type(value).__name__}"
            assert_shape(value, kind)
            continue
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if value is None:
            assert type(None) in kinds, f"{name} is null"
            continue
        # JSON has no int/bool distinction problem: bool is not accepted where int is asked.
        assert isinstance(value, tuple(k for k in kinds if k is not type(None))) and not (
            isinstance(value, bool) and bool not in kinds), f"{name}={value!r} is not {kinds}"
