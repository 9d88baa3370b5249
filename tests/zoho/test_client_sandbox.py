"""The client against the sandbox over real loopback HTTP, faults on."""
from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.zoho.clientkit import private_cache
from zoho.auth import clear_token_cache
from zoho.client import ZohoClient
from zoho.config import ZohoSettings
from zoho.errors import (
    ZohoAuthError,
    ZohoNotFound,
    ZohoOrganizationError,
    ZohoQuotaExceeded,
    ZohoRateLimitError,
)
from zoho.limits import MemoryBackend

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def client_for(sb, **overrides) -> ZohoClient:
    cfg = sb.config
    config = ZohoSettings(
        client_id=cfg.client_id, client_secret=cfg.client_secret, refresh_token=cfg.refresh_token,
        organization_id=cfg.organization_id, accounts_url=sb.url, rate_limit_per_minute=0, max_concurrency=5,
        timeout=5.0, daily_quota_reserve=0, retry_attempts=8, retry_base=0.01, retry_max=0.1, rate_limit_wait=1.0,
        quota_max_wait=0.0, circuit_failures=0, token_margin=300.0)
    return ZohoClient(dataclasses.replace(config, **overrides), cache=private_cache(), limiter_backend=MemoryBackend())


def ids(records: list[dict], key: str = "item_id") -> list[str]:
    return [record[key] for record in records]


def test_all_pages_fetched_exactly_with_faults_on(sandbox_factory):
    # seed 24 puts every kind of fault into the run: 5xx, 429 (code 44), timeout, truncation, and
    # r1 expires every token at the 50th call
    sb = sandbox_factory(items=300, faults="r1", seed=24, timeout_sleep=2.0)
    client = client_for(sb, timeout=1.0, rate_limit_wait=0.05)  # wide: a slow ordinary call is no fault
    pages = list(client.paginate("inventory", "/items", list_key="items", per_page=5))
    fetched = [record for page in pages for record in page.records]
    assert sorted(ids(fetched)) == sorted(ids(sb.store.list("items")))
    assert len(set(ids(fetched))) == len(fetched) == 300
    assert [page.number for page in pages] == list(range(1, 61))
    injected = dict(sb.app.faults.injected)
    assert {"5xx", "429", "timeout", "truncate", "expire"} <= set(injected), injected
    assert client.stats.token_refreshes == 1 + injected.pop("expire")  # expiry: refreshed, call repeated
    assert client.stats.retries == sum(injected.values()) and client.stats.errors == {}
    assert client.stats.total == sb.calls.api_total()


def test_item_details_returns_stock_for_every_id(sandbox):
    wanted = ids(sandbox.store.list("items"))[:30]
    sandbox.calls.reset()
    records = client_for(sandbox).item_details(wanted, chunk_size=10)
    assert sorted(ids(records)) == sorted(wanted)
    assert sandbox.calls.by_endpoint().get("GET /inventory/v1/itemdetails") == 3


def test_limiter_keeps_below_the_sandbox_limit_with_no_429(sandbox_factory):
    sb = sandbox_factory(items=30, rate_limit_per_minute=600)
    client = client_for(sb, rate_limit_per_minute=600)
    client.tokens.token()
    started = time.monotonic()
    for _ in range(30):
        client.get("inventory", "/items", params={"per_page": 1})
    elapsed = time.monotonic() - started
    assert client.stats.errors == {} and client.stats.retries == 0
    assert client.stats.total == 30 and sb.calls.by_status().get(429, 0) == 0
    assert 29 * 0.1 <= elapsed <= 29 * 0.1 * 1.15 + 1.5  # floor kept; slack for a busy machine


def test_without_the_limiter_the_sandbox_answers_44_and_the_client_backs_off(sandbox_factory):
    sb = sandbox_factory(items=5, rate_limit_per_minute=20)
    client = client_for(sb, rate_limit_wait=0.05, retry_attempts=2)
    with pytest.raises(ZohoRateLimitError) as info:
        for _ in range(40):
            client.get("inventory", "/items")
    assert info.value.code == 44 and info.value.http_status == 429


def test_token_expiry_is_recovered(sandbox_factory):
    sb = sandbox_factory(items=5, token_ttl_seconds=2)
    client = client_for(sb)  # margin 300 s, but a 2 s token is used for its first half
    client.get("inventory", "/items")
    client.get("inventory", "/items")
    assert client.stats.token_refreshes == 1
    time.sleep(1.1)  # past half-way: refreshed before Zoho would refuse it
    client.get("inventory", "/items")
    assert client.stats.token_refreshes == 2 and client.stats.errors == {}
    assert sb.calls.by_status().get(401, 0) == 0


def test_revoked_token_is_refreshed_once_and_the_call_repeated(sandbox):
    client = client_for(sandbox)
    client.get("inventory", "/items")
    sandbox.app.accounts.expire_all()  # Zoho forgets every access token it issued
    sandbox.calls.reset()
    assert client.get("inventory", "/items")["code"] == 0
    assert client.stats.token_refreshes == 2 and client.stats.errors == {}
    assert sandbox.calls.api_total() == 2  # the refused call and its repeat
    assert sandbox.calls.by_status() == {401: 1, 200: 2}  # 200s: the repeat and the token grant


def test_missing_record_is_not_found(sandbox):
    with pytest.raises(ZohoNotFound, match="does not exist"):
        client_for(sandbox).get("inventory", "/items/999999999999")


def test_image_bytes_and_missing_images(sandbox):
    client = client_for(sandbox)
    items = sandbox.store.list("items")
    with_image = next(r for r in items if r.get("image_name"))
    without_image = next(r for r in items if not r.get("image_name"))
    image = client.get_item_image(with_image["item_id"])
    assert image.content_type.startswith("image/") and len(image.content) > 100
    with pytest.raises(ZohoNotFound, match="Image does not exist"):
        client.get_item_image(without_image["item_id"])


def test_wrong_organization_is_an_organization_error(sandbox):
    with pytest.raises(ZohoOrganizationError) as info:
        client_for(sandbox, organization_id="999").get("inventory", "/items")
    assert not info.value.transient and info.value.http_status == 400


def test_bad_refresh_token_is_an_auth_error(sandbox):
    with pytest.raises(ZohoAuthError, match="invalid_code"):
        client_for(sandbox, refresh_token="1000.wrong").get("inventory", "/items")


def test_daily_quota_stops_the_client(sandbox_factory):
    sb = sandbox_factory(items=5, daily_limit=5)
    client = client_for(sb, daily_quota_reserve=1)
    with pytest.raises(ZohoQuotaExceeded) as info:
        for _ in range(10):
            client.get("inventory", "/items")
    assert info.value.reset_seconds and info.value.reset_seconds > 0
    assert sb.calls.api_total() <= 5 and sb.calls.by_status().get(429, 0) == 0


def test_concurrency_cap_avoids_1070(sandbox_factory):
    sb = sandbox_factory(items=20, max_concurrency=2)
    client = client_for(sb, max_concurrency=2)
    errors: list[Exception] = []

    def work() -> None:
        try:
            client.get("inventory", "/items")
        except Exception as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sb.calls.by_status().get(429, 0) <= client.stats.retries  # a 1070 at the edge is retried, not raised


def test_1070_is_retried_and_surfaces_only_when_retries_run_out(sandbox_factory):
    sb = sandbox_factory(items=20, max_concurrency=1, faults="slow=1.0", slow_sleep=0.3)
    client = client_for(sb, max_concurrency=4, retry_attempts=1)
    errors: list[Exception] = []

    def work() -> None:
        try:
            client.get("inventory", "/items")
        except ZohoRateLimitError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors and {exc.code for exc in errors} == {1070}


@pytest.mark.django_db
def test_connection_command_against_the_sandbox(sandbox, zoho_settings):
    out = io.StringIO()
    call_command("tds_test_connection", stdout=out)
    text = out.getvalue()
    assert "Zoho connection OK" in text and sandbox.config.organization_id in text
    assert f"API domain:   {sandbox.url}" in text


def test_connection_command_as_a_process_against_the_sandbox(sandbox):
    env = {**os.environ, "ZOHO_SANDBOX": "true", "ZOHO_ACCOUNTS_URL": sandbox.url,
           "DJANGO_SETTINGS_MODULE": "tds_site.test_settings", "ZOHO_RATE_LIMIT_PER_MINUTE": "0"}
    done = subprocess.run([sys.executable, "manage.py", "tds_test_connection"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Zoho connection OK" in done.stdout and "Calls made:   1 API call, 1 token refresh" in done.stdout
    assert "calls left" in done.stdout


@pytest.mark.django_db
def test_connection_command_bad_refresh_token(sandbox, zoho_settings, settings):
    settings.ZOHO_REFRESH_TOKEN = "1000.wrong"
    with pytest.raises(CommandError, match="invalid_code"):
        call_command("tds_test_connection", stdout=io.StringIO())


def test_a_refused_token_is_not_retried_nor_opens_the_circuit_and_nobody_asks_again_in_the_window(sandbox_factory):
    from zoho.errors import ZohoTokenLimitError

    sb = sandbox_factory(items=5, faults="expire_every=3", tokens_per_window=1)
    client = client_for(sb, circuit_failures=1, token_window=600.0)  # one failure would open the circuit
    client.get("inventory", "/items")
    client.get("inventory", "/items")
    for _ in range(3):  # the third call finds its token expired; Zoho grants no second one in the window
        with pytest.raises(ZohoTokenLimitError) as info:
            client.get("inventory", "/items")
        assert info.value.waits and 0 < info.value.retry_after <= 600
    assert client.breaker.state == "closed" and client.stats.retries == 0
    token_requests = sb.calls.by_endpoint()["POST /oauth/v2/token"]
    assert token_requests == 2 and sb.app.accounts.issued_total == 1  # one granted, one refused, then silence
