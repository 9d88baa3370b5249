"""Which hosts the client may talk to: Zoho's own, per data centre, and nothing else.

A token answer names the API host (`api_domain`) and Zoho may answer with a
redirect; both are only believed when they point at a host on this list, so an
access token or a downloaded picture never comes from or goes to anyone else.
An explicitly configured accounts server (a proxy, a test Zoho) is trusted as
configured. With the local sandbox switched on, loopback hosts and the configured server are the
only ones allowed: sandbox data and sandbox credentials never meet a real Zoho.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from zoho.dc import ACCOUNTS_HOSTS
from zoho.errors import ZohoHostRefused

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def zoho_hosts() -> frozenset[str]:
    """Every Zoho accounts and API host: www.zohoapis.<tld>, the accounts host, the legacy Books/Inventory hosts."""
    hosts: set[str] = set()
    for dc, url in ACCOUNTS_HOSTS.items():
        hosts.add(f"www.zohoapis.{dc}")  # the API host is named after the DC, even where accounts is not (ca)
        accounts = urlsplit(url).hostname or ""
        domain = accounts.removeprefix("accounts.")  # zoho.com, zohocloud.ca, ...
        hosts.update({accounts, f"books.{domain}", f"inventory.{domain}"})
    return frozenset(hosts)


ZOHO_HOSTS = zoho_hosts()


@dataclass(frozen=True)
class HostAllowList:
    """Zoho's hosts (https only) plus the configured accounts server; for the sandbox, loopback
    hosts plus the configured server and no Zoho host at all."""

    accounts_url: str = ""
    sandbox: bool = False

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if self.accounts_url and _origin(url) == _origin(self.accounts_url):
            return True
        if self.sandbox:
            return parts.scheme in ("http", "https") and host in _LOOPBACK
        return parts.scheme == "https" and host in ZOHO_HOSTS

    def check(self, url: str, *, what: str) -> str:
        """`url` unchanged when allowed; ZohoHostRefused naming the host otherwise."""
        if not self.allows(url):
            host = urlsplit(url).netloc or url
            raise ZohoHostRefused(f"{what} points at {host}, which is not a Zoho host; refused")
        return url


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = -1
    return parts.scheme, (parts.hostname or "").lower(), port
