"""Who may call what, and every error as JSON {"error", "message"} with the right status."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import ADMIN_GET, ADMIN_POST, BFF_GET, BFF_POST

pytestmark = pytest.mark.django_db


def _call(api, method: str, path: str):
    return getattr(api, method)(path, format="json") if method == "post" else api.get(path)


@pytest.mark.parametrize("method,path", [*(("get", p) for p in ADMIN_GET + BFF_GET),
                                         *(("post", p) for p in ADMIN_POST + BFF_POST)])
def test_anonymous_callers_are_refused_with_401_json(method, path):
    from rest_framework.test import APIClient

    reply = _call(APIClient(), method, path)
    assert reply.status_code == 401
    body = reply.json()
    assert body["error"] == "not_authenticated" and body["message"]
    assert reply["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("method,path", [*(("get", p) for p in ADMIN_GET), *(("post", p) for p in ADMIN_POST)])
def test_non_staff_users_are_refused_on_admin_endpoints(user_api, method, path):
    reply = _call(user_api, method, path)
    assert reply.status_code == 403
    assert reply.json()["error"] == "permission_denied"


@pytest.mark.parametrize("path", BFF_GET)
def test_bff_reads_take_any_authenticated_user_with_bearer(user_api, path):
    assert user_api.get(path).status_code == 200


def test_token_and_bearer_and_session_all_authenticate(staff_token, staff_client):
    from rest_framework.test import APIClient

    for keyword in ("Token", "Bearer", "token", "bearer"):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"{keyword} {staff_token}")
        assert api.get("/api/tds/status").status_code == 200, keyword
    assert staff_client.get("/api/tds/status").status_code == 200
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert bad.get("/api/tds/status").json()["error"] == "authentication_failed"


def test_unknown_api_paths_are_json_404_and_other_paths_stay_html():
    client = Client()
    for path in ("/api/tds/nothing-here", "/api/", "/api/bff/tds/runs/extra", "/api/tds/sync-runs/not-a-uuid"):
        reply = client.get(path)
        assert reply.status_code == 404 and reply["Content-Type"].startswith("application/json"), path
        assert reply.json()["error"] == "not_found"
    page = client.get("/definitely-not-here/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_wrong_method_is_405_and_wrong_media_type_is_415(staff_api):
    reply = staff_api.delete("/api/tds/status")
    assert reply.status_code == 405 and reply.json()["error"] == "method_not_allowed"
    reply = staff_api.post("/api/tds/sync", data="entity_type=items", content_type="text/plain")
    assert reply.status_code == 415 and reply.json()["error"] == "unsupported_media_type"


def test_a_crash_is_a_json_500_without_traceback(staff_api, monkeypatch):
    from sync.selectors import status as selectors

    def boom() -> dict:
        raise RuntimeError("secret detail in a traceback")

    monkeypatch.setattr(selectors, "status_detail", boom)
    reply = staff_api.get("/api/tds/status")
    assert reply.status_code == 500
    body = reply.json()
    assert body["error"] == "server_error" and "secret" not in reply.content.decode()
    assert "Traceback" not in reply.content.decode()


def test_handler500_answers_json_under_api_and_html_elsewhere(rf):
    from sync.api.exceptions import server_error

    api = server_error(rf.get("/api/tds/status"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")
    assert b"Traceback" not in api.content
    page = server_error(rf.get("/tds-admin/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_write_endpoints_are_throttled_per_user_with_retry_after(staff_api, settings, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"tds_write": "2/min"})
    from django.core.cache import cache

    cache.clear()
    codes = [staff_api.post("/api/tds/deadletter/retry-all").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    reply = staff_api.post("/api/tds/deadletter/retry-all")
    assert reply.json()["error"] == "throttled" and int(reply["Retry-After"]) > 0
    assert reply.json()["retry_after"] > 0
    cache.clear()


@pytest.mark.parametrize("path,parameter", [
    ("/api/tds/deadletter?entity=%00", "entity"), ("/api/tds/deadletter?error_class=%00", "error_class"),
    ("/api/tds/deadletter?limit=0", "limit"), ("/api/tds/sync-runs?run_type=%00", "run_type"),
    ("/api/tds/sync-runs?entity_type=%00", "entity_type"), ("/api/tds/sync-runs?cursor=%00zz", "cursor"),
])
def test_malformed_query_parameters_are_400_naming_them_never_500(staff_api, path, parameter):
    # Found by the schema fuzzer: a NUL byte reached PostgreSQL and came back as a 500.
    reply = staff_api.get(path)
    assert reply.status_code == 400, reply.content
    assert reply.json()["message"].startswith(f"{parameter}:")


def test_a_percent_sign_in_a_filter_is_a_400_not_a_500(staff_api):
    # Found by the schema fuzzer: Django %-formatted the unknown entity's message.
    reply = staff_api.get("/api/tds/sync-runs?entity_type=a%25s%25d")
    assert reply.status_code == 400 and "unknown entity 'a%s%d'" in reply.json()["message"]


def test_a_body_with_too_many_fields_is_a_400_not_a_500(staff_api, settings):
    # Found by the schema fuzzer: Django's field limit raised inside DRF's parser.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"ids={n}" for n in range(50))
    reply = staff_api.post("/api/tds/deadletter/retry", data=body, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 400 and reply.json()["error"] == "bad_request"
