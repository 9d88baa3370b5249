"""Requests stay on Zoho's hosts: api_domain and redirects are checked, ids cannot change the path."""
from __future__ import annotations

import dataclasses

import pytest
import responses

from tests.zoho.clientkit import API, INVENTORY, TOKEN_URL, add_token, api_calls, envelope, make_client, private_cache
from zoho.auth import clear_token_cache
from zoho.client import ZohoClient
from zoho.config import ZohoSettings, settings_from_django
from zoho.errors import ZohoHostRefused, ZohoNotFound, ZohoPermanentError
from zoho.hosts import ZOHO_HOSTS, HostAllowList
from zoho.ids import is_zoho_id
from zoho.limits import MemoryBackend
from zoho.sandbox.clock import make_id

PNG = b"\x89PNG\r\n\x1a\nrest"


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def off_host_calls(rsps) -> list[str]:
    return [call.request.url for call in rsps.calls if "evil.example" in call.request.url]


def test_an_api_domain_outside_zoho_is_refused_and_gets_no_token(rsps):
    rsps.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": "https://evil.example"})
    rsps.get("https://evil.example/inventory/v1/items", json=envelope(items=[]))
    with pytest.raises(ZohoHostRefused) as refused:
        make_client().get("inventory", "/items")
    assert str(refused.value) == ("the token answer's api_domain points at evil.example, "
                                  "which is not a Zoho host; refused")
    assert off_host_calls(rsps) == []


@pytest.mark.parametrize("domain", ["https://www.zohoapis.eu", "https://www.zohoapis.com.cn", "https://books.zoho.in"])
def test_every_zoho_data_centre_api_domain_is_accepted(rsps, domain):
    rsps.post(TOKEN_URL, json={"access_token": "tok-1", "expires_in": 3600, "api_domain": domain})
    rsps.get(f"{domain}/inventory/v1/items", json=envelope(items=[{"item_id": "1"}]))
    assert make_client().get("inventory", "/items")["items"] == [{"item_id": "1"}]


def test_http_zoho_host_and_look_alikes_are_not_zoho():
    hosts = HostAllowList()
    assert hosts.allows("https://www.zohoapis.com/books/v3")
    for url in ("http://www.zohoapis.com", "https://www.zohoapis.com.evil.example", "https://evilzohoapis.com",
                "https://127.0.0.1:8000", "https://accounts.zoho.com@evil.example/"):
        assert not hosts.allows(url), url
    assert {"accounts.zohocloud.ca", "www.zohoapis.ca", "inventory.zoho.eu"} <= ZOHO_HOSTS


def test_an_image_redirect_to_another_host_is_not_followed(rsps):
    add_token(rsps)
    rsps.get(f"{INVENTORY}/items/5/image", status=302, headers={"Location": "https://evil.example/picture.png"})
    rsps.get("https://evil.example/picture.png", body=PNG, content_type="image/png")
    with pytest.raises(ZohoHostRefused, match="evil.example"):
        make_client().get_item_image("5")
    assert off_host_calls(rsps) == []


def test_a_redirect_within_zoho_is_followed_and_the_token_stays_with_its_host(rsps):
    add_token(rsps)
    rsps.get(f"{INVENTORY}/items/5/image", status=302,
             headers={"Location": "https://inventory.zoho.com/api/v1/items/5/image"})
    rsps.get("https://inventory.zoho.com/api/v1/items/5/image", body=PNG, content_type="image/png")
    image = make_client().get_item_image("5")
    assert image.content == PNG
    followed = rsps.calls[-1].request
    assert followed.url.startswith("https://inventory.zoho.com/") and "Authorization" not in followed.headers


def test_redirect_loops_stop(rsps):
    add_token(rsps)
    rsps.get(f"{INVENTORY}/items/5/image", status=302, headers={"Location": f"{INVENTORY}/items/5/image"})
    with pytest.raises(ZohoPermanentError, match="redirected more than 3 times"):
        make_client().get_item_image("5")


def test_the_token_request_follows_no_redirect(rsps):
    rsps.post(TOKEN_URL, status=307, headers={"Location": "https://evil.example/oauth/v2/token"})
    rsps.post("https://evil.example/oauth/v2/token", json={"access_token": "x", "api_domain": API})
    with pytest.raises(ZohoPermanentError, match="redirect"):
        make_client().get("inventory", "/items")
    assert off_host_calls(rsps) == []


def test_path_segments_are_percent_encoded(rsps):
    add_token(rsps)
    rsps.get(f"{INVENTORY}/items/1%3Fpage%3D2%23x", json=envelope(item={"item_id": "1"}))
    make_client().get("inventory", "/items/1?page=2#x")
    assert api_calls(rsps)[-1].request.path_url.startswith("/inventory/v1/items/1%3Fpage%3D2%23x?")


@pytest.mark.parametrize("path", ["/items/../organizations", "/items/./1", "/items//1", "items/1"])
def test_dot_and_empty_segments_are_refused_before_sending(rsps, path):
    add_token(rsps)
    with pytest.raises(ZohoPermanentError):
        make_client().get("inventory", path)
    assert api_calls(rsps) == []


@pytest.mark.parametrize("item_id", ["../organizations", "5?x=1", "", "5/image", "1" * 26])
def test_an_item_image_needs_a_zoho_id(rsps, item_id):
    add_token(rsps)
    with pytest.raises(ZohoPermanentError, match="not a Zoho item id"):
        make_client().get_item_image(item_id)
    assert api_calls(rsps) == []


def test_is_zoho_id():
    for good in ("4815000000044895", "460000000038029", "10234695", "1", 4815000000044895, "9" * 25):
        assert is_zoho_id(good), good
    for bad in ("", " 1", "1 ", "1.0", "-1", "0x1f", "../1", "1?", "٤٥", "9" * 26, None, True, 1.5, ["1"]):
        assert not is_zoho_id(bad), bad


def test_every_sandbox_id_is_a_zoho_id(sandbox):
    for entity in ("items", "contacts", "invoices", "salesorders"):
        ids = sandbox.store.ids_of(entity)
        assert ids and all(is_zoho_id(record_id) for record_id in ids), entity
    assert is_zoho_id(make_id("items", 999_999_999)) and is_zoho_id(sandbox.config.organization_id)


def _sandbox_client(sb, **overrides) -> ZohoClient:
    cfg = sb.config
    config = ZohoSettings(client_id=cfg.client_id, client_secret=cfg.client_secret, refresh_token=cfg.refresh_token,
                          organization_id=cfg.organization_id, accounts_url=sb.url, rate_limit_per_minute=0,
                          retry_attempts=1, circuit_failures=0, daily_quota_reserve=0)
    return ZohoClient(dataclasses.replace(config, **overrides), cache=private_cache(), limiter_backend=MemoryBackend())


def test_over_the_sandbox_an_id_with_a_query_reaches_no_other_record(sandbox):
    client = _sandbox_client(sandbox)
    item_id = sandbox.store.ids_of("items")[0]
    assert client.get("inventory", f"/items/{item_id}")["item"]["item_id"] == item_id
    with pytest.raises(ZohoNotFound):
        client.get("inventory", f"/items/{item_id}?page=2")
    assert client.get_item_image(item_id).content


def test_loopback_is_allowed_only_for_the_sandbox_or_a_configured_accounts_server(sandbox, settings):
    assert HostAllowList(sandbox=True).allows(sandbox.url)
    assert HostAllowList(accounts_url=sandbox.url).allows(sandbox.url + "/inventory/v1/items")
    assert not HostAllowList(accounts_url="https://accounts.zoho.eu").allows(sandbox.url)
    settings.ZOHO_SANDBOX, settings.ZOHO_ACCOUNTS_URL = True, sandbox.url
    assert settings_from_django().hosts == HostAllowList(accounts_url=sandbox.url, sandbox=True)
    settings.ZOHO_SANDBOX = False
    assert settings_from_django().hosts.sandbox is False
