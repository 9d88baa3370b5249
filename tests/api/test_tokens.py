"""manage.py tds_token create|revoke|list: a key is printed once, stored as a digest, works as Token and
Bearer until it expires (then 401 token_expired), and stops working when rotated or revoked."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from sync.api.tokens import token_create

pytestmark = pytest.mark.django_db
KEY = re.compile(r"^[0-9a-f]{64}$")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("tds_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def _status(key: str, keyword: str = "Token") -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return api.get("/api/tds/status")


def _stored_text() -> str:
    """Every value of every token row, as one string: what a database dump would show."""
    return " ".join(str(value) for row in AuthToken.objects.values() for value in row.values())


def test_create_prints_the_key_once_and_stores_only_its_digest(django_user_model):
    django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    key = _run("create", "--user", "ops")
    assert KEY.match(key)
    assert key not in _stored_text() and key[:8] in _stored_text()
    with pytest.raises(CommandError, match="already has a token .*cannot be shown again: --rotate replaces it") as err:
        _run("create", "--user", "ops")
    assert key not in str(err.value)
    listing = _run("list")
    assert re.match(rf"^ops\tstaff\t{key[:8]}…\tcreated \d{{4}}-\d\d-\d\d \d\d:\d\d\texpires \d{{4}}-", listing)
    assert key not in listing and key[:9] not in listing
    assert _status(key, "Bearer").status_code == 200 and _status(key, "Token").status_code == 200


def test_rotate_replaces_and_revoke_withdraws(django_user_model):
    django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    key = _run("create", "--user", "ops")
    rotated = _run("create", "--user", "ops", "--rotate")
    assert KEY.match(rotated) and rotated != key
    assert _status(key).status_code == 401 and _status(rotated, "Bearer").status_code == 200
    assert AuthToken.objects.count() == 1
    assert _run("revoke", "--user", "ops") == "revoked the token of ops"
    assert _status(rotated).status_code == 401
    with pytest.raises(CommandError, match="ops has no token"):
        _run("revoke", "--user", "ops")


@pytest.mark.parametrize("days", [None, "1", "7", "3650"])
def test_expiry_is_tds_api_token_days_or_expires_days(django_user_model, settings, days):
    settings.TDS_API_TOKEN_DAYS = 30
    django_user_model.objects.create_user("ops", "ops@example.com", "pw")
    _run("create", "--user", "ops", *(["--expires-days", days] if days else []))
    expiry = AuthToken.objects.get().expiry
    assert abs(expiry - (timezone.now() + timedelta(days=int(days or 30)))) < timedelta(minutes=1)


@pytest.mark.parametrize("days", ["0", "-1", "3651", "soon", "1.5", ""])
def test_bad_expires_days_is_one_error_and_no_token(django_user_model, days):
    django_user_model.objects.create_user("ops", "ops@example.com", "pw")
    with pytest.raises(CommandError, match="--expires-days"):
        _run("create", "--user", "ops", "--expires-days", days)
    assert not AuthToken.objects.exists()


def test_an_expired_key_gets_401_saying_it_expired_every_time(django_user_model):
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    token, key = token_create(user=user)
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    for keyword in ("Token", "Bearer", "token", "bearer", "Token", "Bearer"):  # the row is kept: same answer
        reply = _status(key, keyword)
        assert reply.status_code == 401 and reply["Content-Type"].startswith("application/json")
        body = reply.json()
        assert body["error"] == "token_expired" and "expired on" in body["message"], body
        assert "--rotate" in body["message"] and key not in body["message"]
    assert "\texpired " in _run("list", "--user", "ops")
    key = _run("create", "--user", "ops")  # an expired token does not block a new one, and goes
    assert AuthToken.objects.count() == 1 and _status(key).status_code == 200


def test_an_inactive_users_key_is_refused(django_user_model):
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    key = token_create(user=user)[1]
    django_user_model.objects.filter(pk=user.pk).update(is_active=False)
    reply = _status(key)
    assert reply.status_code == 401 and reply.json()["error"] == "authentication_failed"


@pytest.mark.parametrize("header", [
    "Token", "Bearer", "Token  ", "Token a b", "Bearer x\ty", "Token " + "f" * 64, "Token " + "f" * 5000,
    "Token é", "Bearer \x00\x01", "Token ' OR 1=1 --", "Token %00", "Token ../../etc/passwd",
])
def test_malformed_or_unknown_keys_are_json_401_never_500(django_user_model, header):
    token_create(user=django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    reply = api.get("/api/tds/status")
    assert reply.status_code == 401, header
    assert reply.json()["error"] == "authentication_failed" and reply["WWW-Authenticate"] == "Token"


def test_a_key_sharing_the_stored_prefix_is_not_enough(django_user_model):
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    key = token_create(user=user)[1]
    forged = key[:15] + ("0" if key[15] != "0" else "1") + key[16:]
    assert _status(forged).status_code == 401 and _status(key).status_code == 200


def test_unknown_users_and_missing_names_are_errors():
    with pytest.raises(CommandError, match="needs --user"):
        _run("create")
    with pytest.raises(CommandError, match="no user 'ghost'"):
        _run("revoke", "--user", "ghost")
