"""Where API keys are kept: keys from DRF's clear-text table move into knox's digests and keep working;
the admin lists tokens and issues one without ever showing a stored key."""
from __future__ import annotations

import importlib
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from sync.api.tokens import token_create

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("sync.migrations.0009_api_tokens_hashed")
CLEAR_KEYS = ["9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "0123456789abcdef0123456789abcdef01234567"]


def _status(key: str, keyword: str = "Token") -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return api.get("/api/tds/status").status_code


@pytest.fixture
def clear_token_table():
    """DRF's authtoken_token as its migrations made it (the app itself is no longer installed)."""
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
                       "created timestamp with time zone NOT NULL, user_id integer NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS authtoken_token")


def test_clear_drf_keys_move_into_digests_and_keep_working(django_user_model, settings, clear_token_table):
    settings.TDS_API_TOKEN_DAYS = 45
    staff = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    phone = django_user_model.objects.create_user("phone", "phone@example.com", "pw")
    created = datetime(2025, 3, 1, 10, 30, tzinfo=UTC)
    with connection.cursor() as cursor:
        for key, user in zip(CLEAR_KEYS, (staff, phone), strict=True):
            cursor.execute('INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
                           [key, connection.ops.adapt_datetimefield_value(created), user.pk])
    MIGRATION.move_clear_tokens(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no key left in clear
    rows = {row.user.username: row for row in AuthToken.objects.select_related("user")}
    assert set(rows) == {"ops", "phone"}
    for key, row in zip(CLEAR_KEYS, (rows["ops"], rows["phone"]), strict=True):
        assert row.digest != key and key not in row.digest and row.token_key == key[:15]
        assert row.created == created
        assert abs(row.expiry - (timezone.now() + timedelta(days=45))) < timedelta(minutes=1)
    assert _status(CLEAR_KEYS[0], "Token") == 200 and _status(CLEAR_KEYS[0], "Bearer") == 200
    assert _status(CLEAR_KEYS[1]) == 403  # a plain user's key still authenticates (and is not staff)
    MIGRATION.move_clear_tokens(apps, SimpleNamespace(connection=connection))  # a second run moves nothing
    assert AuthToken.objects.count() == 2


def test_without_the_clear_table_the_move_does_nothing():
    assert "authtoken_token" not in connection.introspection.table_names()
    MIGRATION.move_clear_tokens(apps, SimpleNamespace(connection=connection))
    assert not AuthToken.objects.exists()


def test_the_admin_lists_tokens_without_their_keys(staff_client, django_user_model):
    """The digest is the row's id (in its URL): it identifies the token, it cannot be used as one."""
    user = django_user_model.objects.create_user("phone", "phone@example.com", "pw")
    token, key = token_create(user=user)
    page = staff_client.get("/admin/knox/authtoken/").content.decode()
    assert "phone" in page and f"{key[:8]}…" in page
    assert key not in page and key[:9] not in page
    detail = staff_client.get(f"/admin/knox/authtoken/{token.pk}/change/")
    body = detail.content.decode()
    assert detail.status_code == 200 and key not in body and key[:9] not in body
    assert 'name="expiry"' not in body  # read-only: revoke and issue a new one instead


def test_the_admin_issues_a_key_shown_once_that_works(staff_client, django_user_model):
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    expiry = (timezone.localtime() + timedelta(days=3)).replace(microsecond=0)
    reply = staff_client.post("/admin/knox/authtoken/add/", {
        "user": user.pk, "expiry_0": expiry.strftime("%Y-%m-%d"), "expiry_1": expiry.strftime("%H:%M:%S"),
        "expiry": expiry.strftime("%Y-%m-%d %H:%M:%S")})
    assert reply.status_code == 200, reply.content[:500]
    key = re.search(r'id="api-token-key"[^>]*>([0-9a-f]{64})<', reply.content.decode()).group(1)
    assert _status(key) == 200
    row = AuthToken.objects.get(user=user)
    assert row.expiry == expiry and key not in str(list(AuthToken.objects.values()))
    assert key not in staff_client.get("/admin/knox/authtoken/").content.decode()
    past = staff_client.post("/admin/knox/authtoken/add/", {"user": user.pk, "expiry": "2001-01-01 00:00:00"})
    assert "The expiry must be in the future." in past.content.decode() and AuthToken.objects.count() == 1
