"""The one judge of Zoho URLs (zoho/hosts.py) and the transport adapter that applies it (zoho/transport.py)."""
from __future__ import annotations

import pickle

import pytest
import requests

from tests.zoho.clientkit import make_client
from tests.zoho.hostilekit import CORPUS
from zoho.errors import ZohoHostRefused
from zoho.hosts import HostAllowList, Origin, UnsafeAddress, canonical_host, shown, url_origin
from zoho.transport import GuardedPoolManager, ZohoHostAdapter, ZohoSession, zoho_session

SANDBOX = HostAllowList(accounts_url="http://127.0.0.1:18780", sandbox=True)
ZOHO = HostAllowList()


def corpus_urls() -> list[tuple[str, str]]:
    return [(v.id, v.url(18781, "127.0.0.1:18780")) for v in CORPUS]


@pytest.mark.parametrize(("variant_id", "url"), corpus_urls())
def test_every_confusion_of_the_corpus_is_refused(variant_id, url):
    assert not SANDBOX.allows(url)
    with pytest.raises(ZohoHostRefused) as refused:
        SANDBOX.check(url, what="the api_domain")
    message = str(refused.value)
    assert message.startswith("the api_domain points at ") and message.endswith("; refused")
    assert "\n" not in message and "\t" not in message and "\x00" not in message


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.2:1\\@127.0.0.1:2", "backslash in the address"),
    ("http://127.0.0.1:2@127.0.0.2:1", "user information before the host"),
    ("http://127.0.0.1:2#@127.0.0.2:1", "user information before the host"),
    ("http://127.0.0.1:2?@127.0.0.2:1", "user information before the host"),
    ("http://127.0.0.%32:1", "percent-encoding in the host"),
    ("http://[::1%25lo]:1", "percent-encoding in the host"),
    ("http://127.0.0.2:1\t", "control character, space or non-ASCII character in the address"),
    ("http://127\u30020\u30020\u30022:1", "control character, space or non-ASCII character in the address"),
    (" http://127.0.0.1:1", "control character, space or non-ASCII character in the address"),
    ("//127.0.0.1:1", "not an absolute http(s) address"),
    ("http:127.0.0.1:1", "not an absolute http(s) address"),
    ("ftp://127.0.0.1:1", "scheme 'ftp' is not http or https"),
    ("http:///127.0.0.1", "no host"),
    ("http://127.0.0.1:1:2", "unreadable address"),
    ("http://127.0.0.1:01", "host or port not written plainly"),
    ("http://127.0.0.1:", "host or port not written plainly"),
    ("http://127.0.0.1?x", "host or port not written plainly"),
    ("http://2130706433:1", "IPv4 address not in dotted-quad form"),
    ("http://0x7f.1:1", "IPv4 address not in dotted-quad form"),
    ("http://0177.0.0.1:1", "IPv4 address not in dotted-quad form"),
    ("http://127.1:1", "IPv4 address not in dotted-quad form"),
    ("http://127.000.000.001:1", "IPv4 address not in dotted-quad form"),
    ("http://[::ffff:127.0.0.1]:1", "IPv4 address written as IPv6"),
    ("http://[0:0:0:0:0:0:0:1]:1", "IPv6 address not in canonical form"),
    ("http://localhost.:1", "trailing dot in the host"),
    ("http://local_host-.x:1", "host name with characters DNS names do not use"),
    ("", "empty address"),
])
def test_the_judge_names_why(url, reason):
    with pytest.raises(UnsafeAddress) as refused:
        url_origin(url)
    assert str(refused.value) == reason


def test_plain_addresses_are_read_as_the_connection_reads_them():
    assert url_origin("https://www.zohoapis.com/books/v3") == Origin("https", "www.zohoapis.com", 443)
    assert url_origin("http://[::1]:8765/x") == Origin("http", "::1", 8765)
    assert url_origin("http://127.0.0.1:8765/?q=1#frag") == Origin("http", "127.0.0.1", 8765)
    # DNS names are case-insensitive and urllib3 lower-cases them before connecting: same host.
    assert url_origin("HTTPS://WWW.ZohoApis.COM:443/x") == Origin("https", "www.zohoapis.com", 443)
    assert SANDBOX.allows("http://LOCALHOST:9999/inventory/v1") and ZOHO.allows("https://Books.Zoho.EU/api")


def test_zoho_hosts_only_over_https_on_443_and_look_alikes_refused():
    assert ZOHO.allows("https://www.zohoapis.com.au/inventory/v1/items")
    for url in ("http://www.zohoapis.com", "https://www.zohoapis.com:8443", "https://www.zohoapis.com.evil.example",
                "https://evilzohoapis.com", "https://www.zohoapis.com./x", "https://127.0.0.1:443"):
        assert not ZOHO.allows(url), url
    assert not SANDBOX.allows("https://www.zohoapis.com"), "the sandbox never talks to a real Zoho"


def test_the_configured_accounts_server_is_one_exact_origin():
    proxy = HostAllowList(accounts_url="https://zoho-proxy.internal:8443/zoho")
    assert proxy.allows("https://zoho-proxy.internal:8443/oauth/v2/token")
    assert proxy.allows("https://ZOHO-PROXY.internal:8443/x")
    for url in ("https://zoho-proxy.internal/x", "http://zoho-proxy.internal:8443/x", "https://zoho-proxy.internal.:8443"):
        assert not proxy.allows(url), url
    odd = HostAllowList(accounts_url="http://127.0.0.2:1\\@127.0.0.1:2")
    assert not odd.allows("http://127.0.0.1:2/x") and not odd.allows("http://127.0.0.2:1/x")


@pytest.mark.parametrize(("scheme", "host", "port", "allowed"), [
    ("https", "www.zohoapis.com", 443, True),
    ("https", "WWW.ZOHOAPIS.COM", None, True),
    ("https", "www.zohoapis.com", 8443, False),
    ("http", "www.zohoapis.com", None, False),
    ("https", "2130706433", 443, False),
    ("https", "www.zohoapis.com.", 443, False),
    ("ftp", "www.zohoapis.com", 443, False),
    ("https", "", 443, False),
    ("https", None, 443, False),
])
def test_connections_are_judged_on_scheme_host_and_port(scheme, host, port, allowed):
    if allowed:
        ZOHO.check_connection(scheme=scheme, host=host, port=port, what="a connection")
    else:
        with pytest.raises(ZohoHostRefused, match="^a connection to .*; refused$"):
            ZOHO.check_connection(scheme=scheme, host=host, port=port, what="a connection")


def test_sandbox_connections_to_loopback_only():
    for host in ("127.0.0.1", "localhost", "::1", "[::1]"):
        SANDBOX.check_connection(scheme="http", host=host, port=1234, what="a connection")
    for host in ("127.0.0.2", "::ffff:127.0.0.1", "127.1", "0"):
        with pytest.raises(ZohoHostRefused):
            SANDBOX.check_connection(scheme="http", host=host, port=1234, what="a connection")


def test_canonical_host():
    assert canonical_host("WWW.ZohoApis.com") == "www.zohoapis.com"
    assert canonical_host("[::1]") == "::1"
    for host in ("", "a..b", "x.", "1.2.3.4.5", "0x7f000001", "-x.com", "[::1%lo]", "[1::2::3]"):
        with pytest.raises(UnsafeAddress):
            canonical_host(host)


def test_refusals_show_the_address_on_one_printable_line():
    assert shown("http://127.0.0.2:1\\@127.0.0.1:2/path?q") == "127.0.0.2:1\\@127.0.0.1:2"
    assert shown("http://a\r\nb\x00\u3002/x") == "a\\r\\nb\\x00\\u3002"
    assert shown("no scheme\nhere") == "no scheme\\nhere"
    assert len(shown("http://" + "a" * 500)) == 83


def test_redirects_are_judged_raw_and_resolved():
    base = "http://127.0.0.1:18780/inventory/v1/items"
    assert SANDBOX.check_redirect(base, "/inventory/v1/items/2", what="r") == "http://127.0.0.1:18780/inventory/v1/items/2"
    for location in ("//127.0.0.2:1/x", "/\\127.0.0.2:1/x", "http://127.0.0.1:18780/\tx", "http://127.0.0.2:1/x", ""):
        with pytest.raises(ZohoHostRefused, match="^r points at "):
            SANDBOX.check_redirect(base, location, what="r")


def test_the_pool_manager_opens_no_pool_off_the_list():
    manager = GuardedPoolManager(SANDBOX)
    assert manager.connection_from_host("127.0.0.1", 18780, "http").host == "127.0.0.1"
    for url in ("http://127.0.0.2:1/x", "http://[::ffff:127.0.0.2]:1/", "http://2130706434:1/"):
        with pytest.raises(ZohoHostRefused, match="^a connection to "):
            manager.connection_from_url(url)
    assert not any(key.key_host != "127.0.0.1" for key in manager.pools.keys())


def test_every_zoho_session_carries_the_guard_and_resolves_no_redirect():
    session = zoho_session(SANDBOX, pool_maxsize=7)
    assert isinstance(session, ZohoSession)
    for prefix in ("http://", "https://", "HTTP://x"):
        adapter = session.get_adapter(prefix if "x" in prefix else prefix + "host")
        assert isinstance(adapter, ZohoHostAdapter) and adapter.hosts == SANDBOX
        assert isinstance(adapter.poolmanager, GuardedPoolManager)
    answer = requests.Response()
    answer.status_code, answer.headers["Location"] = 302, "http://127.0.0.2:1/"
    assert session.get_redirect_target(answer) is None


def test_the_adapter_keeps_its_allow_list_through_pickling():
    adapter = pickle.loads(pickle.dumps(ZohoHostAdapter(SANDBOX)))
    assert adapter.hosts == SANDBOX and isinstance(adapter.poolmanager, GuardedPoolManager)
    assert adapter.poolmanager.hosts == SANDBOX


def test_an_odd_accounts_server_gets_no_client_secret():
    client = make_client(accounts_url="http://127.0.0.2:1\\@127.0.0.1:2")
    with pytest.raises(ZohoHostRefused) as refused:
        client.tokens.token()
    assert str(refused.value) == ("the Zoho accounts server points at 127.0.0.2:1\\@127.0.0.1:2: "
                                  "backslash in the address; refused")
