"""OpenAPI: valid without warnings, Swagger UI on local assets, and fuzzed (schemathesis) on a live server."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.api.tokens import token_create
from tests.sync.conftest import sandbox_maker, sb, zclient  # noqa: F401 - fixtures for the records routes

PUBLIC = {"/api/tds/health"}
WEBHOOKS = {"/api/webhooks/zoho", "/api/tds/webhooks/test", *(f"/api/tds/webhooks/{route}" for route in (
    "products", "items", "stock", "customers", "invoices", "orders"))}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=io.StringIO())
    text = out.read_text()
    for path in ("/api/tds/health", "/api/tds/status", "/api/tds/sync", "/api/tds/sync-runs",
                 "/api/tds/sync-runs/{run_id}", "/api/tds/stock/sync", "/api/bff/tds/status", "/api/bff/tds/recent",
                 "/api/bff/tds/health", "/api/bff/tds/dashboard", "/api/bff/tds/runs", "/api/bff/tds/sync/stock",
                 "/api/bff/tds/sync/stock/stats", "/api/bff/tds/sync/stock/specific", "/api/webhooks/zoho"):
        assert f"  {path}:" in text, path
    assert "tokenAuth" in text and "cookieAuth" in text


@pytest.mark.django_db
def test_swagger_ui_uses_only_local_assets(client):
    from django.contrib.staticfiles import finders

    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    scripts = [a for a in assets if a.endswith((".js", ".css"))]
    assert any("swagger-ui" in a for a in scripts), scripts
    for asset in scripts:
        assert asset.startswith("/static/") and finders.find(asset.removeprefix("/static/")), asset


@pytest.fixture
def api_schema(live_server, monkeypatch):
    from sync import jobs

    # No cluster in this test: the stock routes answer 202 at once instead of waiting for a worker.
    monkeypatch.setattr(jobs, "job_wait", lambda **kwargs: None)
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def staff_key(django_user_model) -> str:
    user = django_user_model.objects.create_user("fuzz", "f@example.com", "pw", is_staff=True)
    return token_create(user=user)[1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_with_a_staff_token_no_5xx_and_every_answer_conforms(case, staff_key, live_server):
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {staff_key}"}, checks=CHECKS)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_anonymously_everything_but_health_and_webhooks_refuses(case, live_server):
    response = case.call_and_validate(base_url=live_server.url, checks=CHECKS)
    if case.operation.path not in PUBLIC | WEBHOOKS:
        # A path parameter that does not fit the route (not a UUID) is a 404 before any auth.
        allowed = (401, 404) if "{" in case.operation.path else (401,)
        assert response.status_code in allowed, (case.operation.path, response.status_code)


@pytest.mark.django_db(transaction=True)
def test_every_documented_operation_but_health_and_webhooks_refuses_anonymous(live_server):
    spec = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=10).json()
    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path in PUBLIC | WEBHOOKS:
                assert {} in operation.get("security", [{}]) or path in WEBHOOKS
                continue
            url = live_server.url + path.replace("{run_id}", "00000000-0000-0000-0000-000000000000").replace(
                "{entity}", "items").replace("{zoho_id}", "1")
            reply = requests.request(method.upper(), url, timeout=10)
            assert reply.status_code == 401, (method, path, reply.status_code)
            assert reply.json()["error"] == "not_authenticated"
            assert {} not in operation.get("security", []), (method, path)
            checked += 1
    assert checked == 20  # 12 admin operations and 8 BFF operations


@pytest.mark.django_db
def test_schema_download_name_is_encoded_for_http(client):
    reply = client.get("/api/schema/")
    assert reply.status_code == 200
    header = reply["Content-Disposition"]
    header.encode("ascii")  # an HTTP header is Latin-1; the title's em dash travels percent-encoded
    assert header == ("inline; filename=\"TDS - TSH Data Sync API.yaml\"; "
                      "filename*=utf-8''TDS%20%E2%80%94%20TSH%20Data%20Sync%20API.yaml")
    from urllib.parse import unquote

    assert unquote(header.split("filename*=utf-8''")[1], errors="strict") == "TDS — TSH Data Sync API.yaml"


def test_no_operation_describes_the_error_mixin_and_bodies_are_json_only(tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out), stdout=io.StringIO())
    import json

    spec = json.loads(out.read_text())
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "json_exception_handler" not in operation.get("description", ""), (method, path)
            if "requestBody" in operation and path.startswith("/api/tds/") and "webhooks" not in path:
                assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)


def _schemathesis(live_server, key: str, *extra: str) -> subprocess.CompletedProcess:
    tool = Path(sys.executable).with_name("schemathesis")
    # Run from a folder of its own: the CLI keeps a cache of the crashes it found under the working directory.
    with tempfile.TemporaryDirectory(prefix="tds-schemathesis-") as workdir:
        return subprocess.run(
            [str(tool), "run", f"{live_server.url}/api/schema/", "--checks", "all", "-H", f"Authorization: Token {key}",
             "--max-examples", "4", "--seed", "20261204", "--generation-database", "none", "--request-timeout", "20",
             "--no-color", *extra], capture_output=True, text=True, timeout=900, cwd=workdir)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_schemathesis_checks_all_finds_nothing(live_server, staff_key, monkeypatch, zclient):  # noqa: F811
    """The schemathesis CLI with every check (conformance, negative and positive data, unsupported methods,
    missing auth ...) over every operation: the schema says exactly what the server takes and answers.
    A record's compare and re-fetch ask the Zoho sandbox (zclient points the settings at it)."""
    from rest_framework.throttling import ScopedRateThrottle

    from sync import jobs

    monkeypatch.setattr(jobs, "job_wait", lambda **kwargs: None)  # no cluster here: stock routes answer 202
    monkeypatch.setattr(ScopedRateThrottle, "allow_request", lambda self, request, view: True)
    api = _schemathesis(live_server, staff_key, "--exclude-path-regex", "/webhooks/")
    assert api.returncode == 0, api.stdout[-6000:] + api.stderr[-2000:]
    # Webhook records are Zoho's documents: the fuzzer's own strings (lone UTF-16 surrogates, which no
    # UTF-8 sender can produce) are refused as malformed bodies, so only "valid data accepted" is left out.
    hooks = _schemathesis(live_server, staff_key, "--include-path-regex", "/webhooks/",
                          "--exclude-checks", "positive_data_acceptance")
    assert hooks.returncode == 0, hooks.stdout[-6000:] + hooks.stderr[-2000:]


@pytest.mark.parametrize("path", ["/api/webhooks/zoho", "/api/tds/webhooks/products", "/api/tds/webhooks/test"])
def test_webhook_routes_answer_other_methods_405_with_allow(client, path):
    for method in ("get", "put", "delete", "trace"):
        reply = getattr(client, method)(path)
        assert reply.status_code == 405 and reply["Allow"] == "POST", (method, path)
