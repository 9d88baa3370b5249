"""The one way to build a requests Session that talks to Zoho: every connection is judged.

The client checks each URL before sending it (zoho/hosts.py). This adapter is
the second line: mounted for http:// and https:// on every Zoho session, it
judges the prepared request's URL again and then the scheme, host and port the
connection pool is about to connect to, so a future code path that forgets the
string check, or a URL that two parsers read differently, still cannot carry
the access token or the client secret off the list. A refusal is a
ZohoHostRefused (not a requests exception), so callers never mistake it for a
network hiccup worth retrying.

Written as an HTTPAdapter subclass because that is requests' documented hook
for transport behaviour; urllib3 has no allow-list of its own.
"""
from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.poolmanager import PoolManager

from zoho.hosts import HostAllowList


class GuardedPoolManager(PoolManager):
    """A PoolManager that opens no pool (hence no socket) to a host or port off the list."""

    def __init__(self, hosts: HostAllowList, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hosts = hosts

    def connection_from_host(self, host: str | None, port: int | None = None, scheme: str | None = "http",
                             pool_kwargs: dict[str, Any] | None = None) -> HTTPConnectionPool:
        self.hosts.check_connection(scheme=scheme, host=host, port=port, what="a connection")
        return super().connection_from_host(host, port, scheme, pool_kwargs=pool_kwargs)


class ZohoHostAdapter(HTTPAdapter):
    """HTTPAdapter that refuses, at send and at connection time, whatever the allow-list refuses."""

    __attrs__ = [*HTTPAdapter.__attrs__, "hosts"]  # survives pickling, like the base adapter's settings

    def __init__(self, hosts: HostAllowList, **kwargs: Any) -> None:
        self.hosts = hosts  # before super().__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = GuardedPoolManager(self.hosts, num_pools=connections, maxsize=maxsize, block=block,
                                              **pool_kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.hosts.check(request.url or "", what="a request")
        return super().send(request, *args, **kwargs)

    def get_connection_with_tls_context(self, request: requests.PreparedRequest, verify: Any,
                                        proxies: dict[str, str] | None = None, cert: Any = None) -> Any:
        # The very (scheme, host, port) requests picks the pool by; a proxy, if any, sees this target too.
        target, _ = self.build_connection_pool_key_attributes(request, verify, cert)
        self.hosts.check_connection(**target, what="a connection")
        return super().get_connection_with_tls_context(request, verify, proxies=proxies, cert=cert)


class ZohoSession(requests.Session):
    """A Session that never reads a redirect target itself.

    Even with allow_redirects=False, requests parses the Location header (with urllib.parse, after
    re-decoding it as UTF-8) to prepare `Response.next`; a hostile Location then raises from deep
    inside requests. The client follows redirects by hand, through the allow-list, so requests has
    no redirect to resolve, and no code path can turn `allow_redirects=True` on by mistake.
    """

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None


def zoho_session(hosts: HostAllowList, *, pool_connections: int = 2, pool_maxsize: int = 10) -> requests.Session:
    """A ZohoSession whose every http(s) request goes through ZohoHostAdapter with `hosts`."""
    session = ZohoSession()
    adapter = ZohoHostAdapter(hosts, pool_connections=pool_connections, pool_maxsize=pool_maxsize)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
