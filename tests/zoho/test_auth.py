"""Token refresh: cached, shared, refreshed early by one caller, secrets kept out of logs and errors."""
from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import pytest
import requests
import responses

from tests.zoho.clientkit import (
    ACCOUNTS,
    API,
    INVENTORY,
    REFRESH,
    SECRET,
    TOKEN_URL,
    ZohoLogs,
    envelope,
    make_client,
)
from tests.zoho.clientkit import private_cache as new_cache
from zoho.auth import TokenProvider, clear_token_cache
from zoho.config import settings_from_django
from zoho.dc import accounts_url, api_base
from zoho.errors import (
    ZohoAuthError,
    ZohoConfigError,
    ZohoRateLimitError,
    ZohoTokenLimitError,
    ZohoTransientError,
)


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def provider(cache=None, clock=None, **kwargs) -> TokenProvider:
    return TokenProvider(client_id="1000.CLIENTID", client_secret=SECRET, refresh_token=REFRESH,
                         accounts_url=ACCOUNTS, organization_id="1", cache=cache if cache is not None else new_cache(),
                         clock=clock or time.time, **kwargs)


def slow_token(counter: list[int]):
    def callback(request):
        counter.append(1)
        time.sleep(0.05)  # widen the race window
        return 200, {}, f'{{"access_token": "tok-{len(counter)}", "expires_in": 3600, "api_domain": "{API}"}}'
    return callback


def test_token_is_cached_between_calls():
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": API})
        tokens = provider()
        assert tokens.token().value == tokens.token().value == "tok-1"
        assert len(rsps.calls) == 1
        body = parse_qs(rsps.calls[0].request.body)
        assert body["grant_type"] == ["refresh_token"] and body["refresh_token"] == [REFRESH]
        assert "?" not in rsps.calls[0].request.url  # secrets go in the form body, never the URL


def test_refreshed_early_exactly_once_under_eight_threads():
    clock, refreshes = Clock(), []
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, TOKEN_URL, callback=slow_token(refreshes))
        cache = new_cache()
        first = provider(cache, clock).token()
        clock.now += 3600 - 299  # 299 s left: inside the 300 s margin, still valid
        results: list[str] = []
        barrier = threading.Barrier(8)

        def worker() -> None:
            barrier.wait()
            results.append(provider(cache, clock).token().value)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert first.value == "tok-1"
    assert len(refreshes) == 2  # the first token, then exactly one early refresh
    assert set(results) == {"tok-2"}


def test_other_process_token_is_read_from_the_shared_cache():
    cache = new_cache()
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": API})
        provider(cache).token()
        clear_token_cache()  # a second process has no in-memory copy
        assert provider(cache).token().value == "tok-1"
        assert len(rsps.calls) == 1


def test_waiter_rereads_the_cache_while_another_process_refreshes():
    cache, clock = new_cache(), Clock()
    holder = provider(cache, clock)
    cache.add(holder.lock_key, "1", timeout=30)  # another process holds the refresh lock

    def other_process_finishes() -> None:
        time.sleep(0.1)
        cache.set(holder.key, {"v": "tok-other", "e": clock.now + 3600, "d": API}, timeout=3600)

    threading.Thread(target=other_process_finishes).start()
    with responses.RequestsMock() as rsps:  # no token endpoint registered: a request would fail
        assert provider(cache, clock, sleep=time.sleep).token().value == "tok-other"
        assert len(rsps.calls) == 0


def test_invalidate_keeps_a_token_someone_else_already_replaced():
    cache = new_cache()
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": API})
        tokens = provider(cache)
        old = tokens.token()
        cache.set(tokens.key, {"v": "tok-new", "e": time.time() + 3600, "d": API})
        clear_token_cache()
        tokens.invalidate(old)
        assert tokens.token().value == "tok-new"


@pytest.mark.parametrize("body,cls,text", [
    ({"error": "invalid_code"}, ZohoAuthError, "refused the refresh token (invalid_code)"),
    ({"error": "invalid_client"}, ZohoAuthError, "invalid_client"),
    ({"error": "Access Denied", "error_description": "too many requests"}, ZohoRateLimitError, "Access Denied"),
])
def test_refusals_become_one_clear_line(body, cls, text):
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json=body)
        with pytest.raises(cls) as info:
            provider().token()
    message = str(info.value)
    assert text in message and "\n" not in message and ACCOUNTS in message


def test_after_access_denied_no_process_asks_again_until_the_window_has_passed():
    clock, cache = Clock(), new_cache()
    denied = {"error": "Access Denied", "error_description": "too many requests", "status": "failure"}
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json=denied)
        with pytest.raises(ZohoTokenLimitError) as first:
            provider(cache, clock, window=600).token()
        assert first.value.waits and first.value.retry_after == 600
        clock.now += 599
        with pytest.raises(ZohoTokenLimitError) as held:  # another process, same refresh token: held off too
            provider(cache, clock, window=600).token()
        assert held.value.retry_after == pytest.approx(1) and "next try is at" in str(held.value)
        assert len(rsps.calls) == 1  # asking again would not get a token sooner
        clock.now += 2
        rsps.replace(responses.POST, TOKEN_URL, json={"access_token": "tok-2", "expires_in": 3600, "api_domain": API})
        assert provider(cache, clock, window=600).token().value == "tok-2"
        assert len(rsps.calls) == 2


def test_unreachable_accounts_server_is_transient():
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, body=requests.ConnectionError("[Errno 111] Connection refused"))
        with pytest.raises(ZohoTransientError, match="Cannot reach the Zoho accounts server .*connection refused"):
            provider().token()


def test_missing_expires_in_assumes_one_hour_and_missing_api_domain_uses_the_dc():
    clock = Clock()
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-1"})
        token = provider(clock=clock, dc="eu").token()
    assert token.expires_at == clock.now + 3600 and token.api_domain == "https://www.zohoapis.eu"


def test_secrets_never_reach_logs_exceptions_or_reprs(caplog):
    errors: list[str] = []
    with ZohoLogs(caplog), responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-SECRET-ACCESS", "expires_in": 3600, "api_domain": API})
        rsps.get(f"{INVENTORY}/items", status=401, json={"code": 57, "message": "You are not authorized"})
        client = make_client()
        with pytest.raises(ZohoAuthError) as info:
            client.get("inventory", "/items")
        errors.append(str(info.value))
        rsps.replace(responses.POST, TOKEN_URL, json={"error": "invalid_code"})
        clear_token_cache()
        client.tokens.invalidate()
        with pytest.raises(ZohoAuthError) as info:
            client.get("inventory", "/items")
        errors.append(str(info.value))
    visible = caplog.text + "".join(errors) + repr(client) + repr(client.config) + repr(client.tokens)
    for secret in (SECRET, REFRESH, "tok-SECRET-ACCESS"):
        assert secret not in visible
    assert "invalid_code" in errors[1]
    assert "refusing the access token" in caplog.text or "refused the access token" in caplog.text


def test_dc_map_and_override():
    assert accounts_url("ca") == "https://accounts.zohocloud.ca"
    assert accounts_url("com.cn") == "https://accounts.zoho.com.cn"
    assert accounts_url("eu", "http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert api_base("https://www.zohoapis.in", "inventory") == "https://www.zohoapis.in/inventory/v1"
    with pytest.raises(ValueError, match="unknown Zoho data centre"):
        accounts_url("mars")


def test_missing_credentials_are_named(settings):
    settings.ZOHO_CLIENT_SECRET = ""
    settings.ZOHO_REFRESH_TOKEN = ""
    with pytest.raises(ZohoConfigError) as info:
        settings_from_django()
    assert info.value.missing == ["ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"]
    assert "ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN" in str(info.value)


@pytest.mark.django_db(transaction=True)
def test_token_shared_through_the_configured_shared_cache():
    from django.core.cache import caches

    shared = caches["shared"]
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-db", "expires_in": 3600, "api_domain": API})
        provider(shared).token()
        clear_token_cache()
        assert provider(shared).token().value == "tok-db"
        assert len(rsps.calls) == 1
    shared.delete(provider(shared).key)


def test_client_uses_one_token_for_many_calls():
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": API})
        rsps.get(f"{INVENTORY}/items", json=envelope(items=[]))
        client = make_client()
        for _ in range(5):
            client.get("inventory", "/items")
        assert client.stats.token_refreshes == 1 and client.stats.total == 5
