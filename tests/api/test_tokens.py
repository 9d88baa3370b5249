"""manage.py tds_token create|revoke|list: the key works as Token and Bearer, and stops working when revoked."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("tds_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_create_list_and_revoke_a_token(django_user_model):
    django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    key = _run("create", "--user", "ops")
    assert len(key) == 40 and _run("create", "--user", "ops") == key  # an existing key is kept
    listing = _run("list")
    assert listing.startswith("ops\tstaff\t" + key[:6]) and key not in listing
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/tds/status").status_code == 200
    rotated = _run("create", "--user", "ops", "--rotate")
    assert rotated != key and api.get("/api/tds/status").status_code == 401
    assert _run("revoke", "--user", "ops") == "revoked the token of ops"
    api.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert api.get("/api/tds/status").status_code == 401


def test_unknown_users_and_missing_names_are_errors():
    with pytest.raises(CommandError, match="needs --user"):
        _run("create")
    with pytest.raises(CommandError, match="no user 'ghost'"):
        _run("revoke", "--user", "ghost")
