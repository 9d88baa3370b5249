"""tds_test_connection: what the user sees on success and on each kind of failure."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import responses
from django.core.management import CommandError, call_command

from tests.zoho.clientkit import ACCOUNTS, API, BOOKS, ORG, TOKEN_URL, envelope
from zoho.auth import clear_token_cache

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def zoho_env(settings):
    clear_token_cache()
    settings.ZOHO_SANDBOX = False  # these stand in for a real Zoho, which the sandbox setting refuses
    settings.ZOHO_ACCOUNTS_URL = ACCOUNTS
    settings.ZOHO_ORGANIZATION_ID = ORG
    settings.ZOHO_RATE_LIMIT_PER_MINUTE = 0
    yield settings
    clear_token_cache()


def run() -> str:
    out = io.StringIO()
    call_command("tds_test_connection", stdout=out)
    return out.getvalue()


def test_success_prints_org_domain_quota_and_calls():
    headers = {"X-Rate-Limit-Limit": "7500", "X-Rate-Limit-Remaining": "6775", "X-Rate-Limit-Reset": "34881"}
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600, "api_domain": API})
        rsps.get(f"{BOOKS}/organizations", headers=headers,
                 json=envelope(organizations=[{"organization_id": ORG, "name": "Zillum"}]))
        output = run()
    assert "Zoho connection OK" in output
    assert f"Organization: Zillum (id {ORG})" in output
    assert f"API domain:   {API}" in output
    assert "Daily quota:  6775 of 7500 calls left, resets in 9h 41m" in output
    assert "Calls made:   1 API call, 1 token refresh" in output


def test_bad_refresh_token_is_one_line():
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"error": "invalid_code"})
        with pytest.raises(CommandError) as info:
            run()
    message = str(info.value)
    assert message.startswith("Zoho connection failed: Zoho refused the refresh token (invalid_code)")
    assert "\n" not in message


def test_unknown_organization_is_one_line():
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600, "api_domain": API})
        rsps.get(f"{BOOKS}/organizations", json=envelope(organizations=[{"organization_id": "1", "name": "X"}]))
        with pytest.raises(CommandError, match=f"organization {ORG} is not among"):
            run()


def test_missing_settings_are_listed(settings):
    settings.ZOHO_CLIENT_ID = ""
    with pytest.raises(CommandError, match="Zoho is not configured: set ZOHO_CLIENT_ID"):
        run()


def test_unreachable_host_exits_non_zero_with_one_line_and_no_traceback():
    env = {**os.environ, "ZOHO_SANDBOX": "true", "ZOHO_ACCOUNTS_URL": "http://127.0.0.1:9",
           "DJANGO_SETTINGS_MODULE": "tds_site.test_settings"}
    done = subprocess.run([sys.executable, "manage.py", "tds_test_connection"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: Zoho connection failed: the Zoho sandbox is not running at http://127.0.0.1:9; "
        "start it with bash scripts/sandbox (python manage.py zoho_sandbox --port 8765)"]


def test_sandbox_commands_find_the_standing_sandbox_or_say_it_is_not_running(settings, sandbox) -> None:
    from zoho.config import settings_from_django

    settings.ZOHO_SANDBOX, settings.ZOHO_ACCOUNTS_URL = True, ""
    settings.ZOHO_SANDBOX_URL = sandbox.url
    assert settings_from_django().resolved_accounts_url == sandbox.url
    settings.ZOHO_SANDBOX_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match=r"^the Zoho sandbox is not running at http://127.0.0.1:9; start it with "
                                           r"bash scripts/sandbox"):
        call_command("tds_sync", "--entities", "warehouses", stdout=io.StringIO(), stderr=io.StringIO())
    from sync.models import SyncRun

    assert not SyncRun.objects.exists()  # no failed run to lower the health score


@pytest.mark.parametrize("url", ["https://accounts.zoho.com", "https://accounts.zoho.eu", "https://accounts.zohocloud.ca"])
def test_with_the_sandbox_on_no_real_zoho_host_is_ever_used(settings, url) -> None:
    from zoho.config import settings_from_django
    from zoho.errors import ZohoConfigError

    settings.ZOHO_SANDBOX, settings.ZOHO_ACCOUNTS_URL = True, url
    with pytest.raises(ZohoConfigError, match="is a real Zoho host"):
        settings_from_django().resolved_accounts_url  # noqa: B018
    settings.ZOHO_ACCOUNTS_URL = ""
    settings.ZOHO_DC = "eu"
    assert settings_from_django().resolved_accounts_url == settings.ZOHO_SANDBOX_URL
