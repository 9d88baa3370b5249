"""No request reaches a host off the allow-list, however the address is written (real HTTP).

A hostile Zoho (a proxy in front of the real sandbox) feeds each URL-parser confusion of the
corpus as the token answer's api_domain, as the Location of an API call's redirect and of an
image download's redirect. A recorder on 127.0.0.2, off the list, must receive nothing.
"""
from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import requests
from django.core.management import CommandError, call_command

from tests.zoho.clientkit import ZohoLogs, private_cache
from tests.zoho.hostilekit import CORPUS, HostileZoho, Recorder, Variant
from zoho.auth import AccessToken, _local_tokens, clear_token_cache
from zoho.client import ZohoClient
from zoho.config import ZohoSettings
from zoho.errors import ZohoHostRefused, ZohoPermanentError
from zoho.limits import MemoryBackend
from zoho.sandbox import SandboxConfig, SandboxServer

IDS = [variant.id for variant in CORPUS]
VARIANTS = {variant.id: variant for variant in CORPUS}
# Relative references that urljoin keeps on the redirecting (allowed) host: followed, never off the list.
STAYS_ON_HOST = {"scheme-without-slashes"}


@pytest.fixture(scope="module")
def upstream() -> Iterator[SandboxServer]:
    config = SandboxConfig(items=30, seed=3, rate_limit_per_minute=0, faults="none", tokens_per_window=100_000)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture(scope="module")
def recorder_server() -> Iterator[Recorder]:
    with Recorder() as server:
        yield server


@pytest.fixture(scope="module")
def hostile_server(upstream: SandboxServer) -> Iterator[HostileZoho]:
    with HostileZoho(upstream.url) as server:
        yield server


@pytest.fixture
def recorder(recorder_server: Recorder) -> Iterator[Recorder]:
    recorder_server.requests.clear()
    yield recorder_server
    assert recorder_server.requests == [], "a request reached the host off the list"


@pytest.fixture
def hostile(hostile_server: HostileZoho) -> Iterator[HostileZoho]:
    clear_token_cache()
    hostile_server.reset()
    yield hostile_server
    clear_token_cache()


def client_for(hostile: HostileZoho, upstream: SandboxServer, cache: object = None) -> ZohoClient:
    cfg = upstream.config
    config = ZohoSettings(client_id=cfg.client_id, client_secret=cfg.client_secret, refresh_token=cfg.refresh_token,
                         organization_id=cfg.organization_id, accounts_url=hostile.url, sandbox=True,
                         rate_limit_per_minute=0, retry_attempts=3, retry_base=0.001, retry_max=0.01,
                         circuit_failures=0, daily_quota_reserve=0, timeout=5.0)
    return ZohoClient(config, cache=cache or private_cache(), limiter_backend=MemoryBackend())


def image_item(upstream: SandboxServer) -> str:
    return next(str(r["item_id"]) for r in upstream.store.list("items") if r.get("image_name"))


def token_posts(hostile: HostileZoho) -> int:
    return sum(1 for seen in hostile.seen if seen["path"].startswith("/oauth/v2/token"))


def assert_one_refusal_line(error: BaseException) -> None:
    message = str(error)
    assert isinstance(error, ZohoHostRefused), message
    assert "\n" not in message and "\r" not in message and message.endswith("; refused"), message


def test_through_the_hostile_proxy_an_honest_answer_reaches_the_sandbox(hostile, upstream, recorder):
    client = client_for(hostile, upstream)

    assert len(client.get("inventory", "/items")["items"]) > 0
    assert client.get_item_image(image_item(upstream)).content_type == "image/jpeg"
    assert client.tokens.token().api_domain == hostile.url


def test_without_the_guard_the_corpus_does_reach_the_recorder(recorder_server, hostile):
    """The corpus is a real threat: a plain requests session sends these to the recorder (userinfo
    becomes a Basic Authorization header there; the others carry the token)."""
    leaked, with_token = set(), set()
    for variant in CORPUS:
        recorder_server.requests.clear()
        try:
            requests.get(variant.url(recorder_server.port, hostile.authority) + "/inventory/v1/items",
                         headers={"Authorization": "Zoho-oauthtoken secret"}, timeout=5)
        except (requests.RequestException, ValueError):
            pass
        if recorder_server.requests:
            leaked.add(variant.id)
        if any(r["headers"].get("Authorization") == "Zoho-oauthtoken secret" for r in recorder_server.requests):
            with_token.add(variant.id)
    recorder_server.requests.clear()
    assert leaked == {variant.id for variant in CORPUS if variant.leaks}
    assert "backslash-userinfo" in with_token and len(with_token) >= 20


@pytest.mark.parametrize("variant", CORPUS, ids=IDS)
def test_a_confusing_api_domain_is_refused_and_never_cached(variant: Variant, hostile, upstream, recorder):
    hostile.api_domain = variant.url(recorder.port, hostile.authority)
    cache = private_cache()
    client = client_for(hostile, upstream, cache)

    with pytest.raises(ZohoPermanentError) as refused:
        client.get("inventory", "/items")

    assert_one_refusal_line(refused.value)
    assert str(refused.value).startswith("the token answer's api_domain points at ")
    assert token_posts(hostile) == 1  # refused, not retried
    assert cache.get(client.tokens.key) is None and client.tokens.key not in _local_tokens


@pytest.mark.parametrize("variant", CORPUS, ids=IDS)
def test_a_confusing_redirect_of_an_api_call_is_refused(variant: Variant, hostile, upstream, recorder):
    hostile.redirect_to = variant.url(recorder.port, hostile.authority) + "/inventory/v1/items"
    client = client_for(hostile, upstream)

    with pytest.raises(ZohoPermanentError) as refused:
        client.get("inventory", "/items")

    if variant.id in STAYS_ON_HOST:
        assert "redirected more than 3 times" in str(refused.value)
    else:
        assert_one_refusal_line(refused.value)
        assert str(refused.value).startswith("a redirect from GET /inventory/v1/items points at ")


@pytest.mark.parametrize("variant", CORPUS, ids=IDS)
def test_a_confusing_redirect_of_an_image_download_is_refused(variant: Variant, hostile, upstream, recorder):
    item_id = image_item(upstream)
    hostile.redirect_path = f"/inventory/v1/items/{item_id}/image"
    hostile.redirect_to = variant.url(recorder.port, hostile.authority) + "/picture/image.png"
    client = client_for(hostile, upstream)

    with pytest.raises(ZohoPermanentError) as refused:
        client.get_item_image(item_id)

    if variant.id not in STAYS_ON_HOST:  # those land on the proxy's own 404, never off the list
        assert_one_refusal_line(refused.value)


@pytest.mark.parametrize("variant", CORPUS, ids=IDS)
def test_a_poisoned_token_in_the_shared_cache_is_discarded(variant: Variant, hostile, upstream, recorder, caplog):
    cache = private_cache()
    client = client_for(hostile, upstream, cache)
    poisoned = variant.url(recorder.port, hostile.authority)
    cache.set(client.tokens.key, {"v": "1000.stale", "e": 4_000_000_000.0, "d": poisoned, "l": 3600.0})

    with ZohoLogs(caplog) as logs:
        assert client.get("inventory", "/items")["items"]

    assert client.tokens.token().api_domain == hostile.url and cache.get(client.tokens.key)["d"] == hostile.url
    assert "zoho cached access token names the api_domain" in logs.text and "discarded" in logs.text
    assert token_posts(hostile) == 1


def test_a_poisoned_token_held_in_process_is_discarded(hostile, upstream, recorder):
    client = client_for(hostile, upstream)
    for variant in CORPUS:
        _local_tokens[client.tokens.key] = AccessToken(value="1000.stale", expires_at=4_000_000_000.0,
                                                       api_domain=variant.url(recorder.port, hostile.authority))
        assert client.get("inventory", "/items")["items"], variant.id
        assert _local_tokens[client.tokens.key].api_domain == hostile.url, variant.id
        _local_tokens.pop(client.tokens.key)


def test_an_unreadable_cache_entry_is_replaced_not_fatal(hostile, upstream, recorder):
    cache = private_cache()
    client = client_for(hostile, upstream, cache)
    cache.set(client.tokens.key, {"v": "1000.x", "e": "soon"})

    assert client.get("inventory", "/items")["items"]
    assert cache.get(client.tokens.key)["d"] == hostile.url


def test_a_code_path_that_skips_the_url_check_still_cannot_connect_off_the_list(hostile, upstream, recorder,
                                                                                monkeypatch):
    """The transport adapter judges the connection itself: with the string check gone, nothing leaks."""
    client = client_for(hostile, upstream)
    session = client._session()
    monkeypatch.setattr(type(client.hosts), "check", lambda self, url, *, what: url)
    refused = []
    for variant in CORPUS:
        try:
            session.get(variant.url(recorder.port, hostile.authority) + "/inventory/v1/items",
                        headers={"Authorization": "Zoho-oauthtoken secret"}, timeout=5)
        except ZohoHostRefused as exc:
            assert "\n" not in str(exc) and str(exc).startswith("a connection to "), str(exc)
            refused.append(variant.id)
        except requests.RequestException:
            pass  # requests itself refused the address or the allowed host answered nothing useful
    assert {v.id for v in CORPUS if v.leaks} <= set(refused)


def test_the_token_session_is_guarded_too(hostile, upstream, recorder):
    client = client_for(hostile, upstream)
    with pytest.raises(ZohoHostRefused, match="^a request points at 127.0.0.2:"):
        client.tokens._session.post(recorder.url + "/oauth/v2/token", data={"client_secret": "s"}, timeout=5)


@pytest.mark.django_db
@pytest.mark.parametrize("variant_id", ["backslash-userinfo", "ipv4-mapped-ipv6", "newline-in-host"])
def test_the_connection_check_prints_one_line(variant_id, hostile, upstream, recorder, settings):
    cfg = upstream.config
    settings.ZOHO_SANDBOX, settings.ZOHO_ACCOUNTS_URL = True, hostile.url
    settings.ZOHO_CLIENT_ID, settings.ZOHO_CLIENT_SECRET = cfg.client_id, cfg.client_secret
    settings.ZOHO_REFRESH_TOKEN, settings.ZOHO_ORGANIZATION_ID = cfg.refresh_token, cfg.organization_id
    hostile.api_domain = VARIANTS[variant_id].url(recorder.port, hostile.authority)

    with pytest.raises(CommandError) as failed:
        call_command("tds_test_connection", stdout=io.StringIO())

    message = str(failed.value)
    assert message.startswith("Zoho connection failed: the token answer's api_domain points at ")
    assert message.endswith("; refused") and "\n" not in message
