"""Sandbox accounts and API authentication: tokens, header checks, organization_id."""
from __future__ import annotations

import time

import requests

from tests.zoho.sandboxkit import Api, token

GRANT = {"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "sandbox-secret",
         "refresh_token": "sandbox-refresh"}


def test_refresh_grant_returns_a_bearer_token_and_the_api_domain(sandbox) -> None:
    body = requests.post(f"{sandbox.url}/oauth/v2/token", params=GRANT, timeout=5).json()
    assert set(body) == {"access_token", "expires_in", "api_domain", "token_type"}
    assert body["expires_in"] == 3600 and body["api_domain"] == sandbox.url and body["token_type"] == "Bearer"


def test_the_grant_also_reads_a_form_body(sandbox) -> None:
    response = requests.post(f"{sandbox.url}/oauth/v2/token", data=GRANT, timeout=5)
    assert response.status_code == 200 and response.json()["access_token"]


def test_a_bad_refresh_token_is_invalid_code_and_a_bad_client_invalid_client(sandbox) -> None:
    bad_token = requests.post(f"{sandbox.url}/oauth/v2/token", params={**GRANT, "refresh_token": "x"}, timeout=5)
    bad_client = requests.post(f"{sandbox.url}/oauth/v2/token", params={**GRANT, "client_secret": "x"}, timeout=5)
    assert (bad_token.status_code, bad_token.json()) == (400, {"error": "invalid_code"})
    assert (bad_client.status_code, bad_client.json()) == (400, {"error": "invalid_client"})


def test_at_most_ten_tokens_per_ten_minutes(sandbox) -> None:
    answers = [requests.post(f"{sandbox.url}/oauth/v2/token", params=GRANT, timeout=5) for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert answers[10].status_code == 400 and answers[10].json()["error"] == "Access Denied"
    assert "access_token" not in answers[10].json()


def test_missing_or_garbled_authorization_is_code_14(sandbox) -> None:
    url = f"{sandbox.url}/inventory/v1/items?organization_id=10234695"
    for headers in ({}, {"Authorization": "Bearer abc"}, {"Authorization": "Zoho-oauthtoken"}):
        response = requests.get(url, headers=headers, timeout=5)
        assert response.status_code == 401 and response.json()["code"] == 14


def test_an_unknown_or_expired_token_is_code_57(sandbox_factory) -> None:
    sb = sandbox_factory(token_ttl_seconds=1)
    live = token(sb)
    url = f"{sb.url}/inventory/v1/items?organization_id=10234695"
    unknown = requests.get(url, headers={"Authorization": "Zoho-oauthtoken 1000.nope"}, timeout=5)
    assert (unknown.status_code, unknown.json()) == (401, {
        "code": 57, "message": "You are not authorized to perform this operation"})
    assert requests.get(url, headers={"Authorization": f"Zoho-oauthtoken {live}"}, timeout=5).status_code == 200
    time.sleep(1.2)
    assert requests.get(url, headers={"Authorization": f"Zoho-oauthtoken {live}"}, timeout=5).json()["code"] == 57


def test_organization_id_is_required_and_must_be_ours(sandbox) -> None:
    api = Api(sandbox)
    missing = api.session.get(f"{sandbox.url}/inventory/v1/items", timeout=5)
    assert missing.status_code == 400 and missing.json()["code"] == 6024
    assert missing.json()["error_info"] == [{"organization_id": "10234695", "name": sandbox.config.organization_name,
                                             "is_default_org": True}]
    wrong = api.get("/items", organization_id="999")
    assert wrong.status_code == 400 and wrong.json()["code"] == 6041


def test_organizations_needs_no_organization_id(sandbox) -> None:
    api = Api(sandbox)
    for prefix in ("inventory/v1", "books/v3"):
        response = api.session.get(f"{sandbox.url}/{prefix}/organizations", timeout=5)
        assert response.json()["organizations"][0]["organization_id"] == "10234695"
