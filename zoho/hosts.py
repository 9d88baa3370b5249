"""Which hosts the client may talk to: Zoho's own, per data centre, and nothing else.

A token answer names the API host (`api_domain`) and Zoho may answer with a
redirect; both are only believed when they point at a host on this list, so an
access token or a downloaded picture never comes from or goes to anyone else.
An explicitly configured accounts server (a proxy, a test Zoho) is trusted as
configured. With the local sandbox switched on, loopback hosts and the configured server are the
only ones allowed: sandbox data and sandbox credentials never meet a real Zoho.

An address is judged the way the connection will be made: urllib3's `parse_url`
(what requests uses to pick the host it connects to) reads it, and the written
authority must be exactly the host and port that parse found. Parsers disagree
about `\\`, `@`, `#`, `%`-escapes, IDNA dots and the many spellings of an IPv4
address, so anything that needs such a reading is refused outright instead of
interpreted: userinfo, backslashes, control characters, whitespace and
non-ASCII characters, percent-encoding in the host, and hosts not in canonical
form (short, decimal, hex or octal IPv4, IPv4-mapped IPv6, trailing dots). The
same judge runs again at connection time (zoho/transport.py), on the host and
port the connection pool is about to open.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from zoho.dc import ACCOUNTS_HOSTS
from zoho.errors import ZohoHostRefused

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS label as configured hosts spell them (underscores appear in container service names).
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
# A last label like these makes resolvers (inet_aton, browsers) read the whole name as an IPv4 address.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_SHOWN_LENGTH = 80


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


class UnsafeAddress(ValueError):
    """An address that different parsers could read differently, or that names no plain host."""


@dataclass(frozen=True)
class Origin:
    """Where a connection goes: scheme, host (lower case, IPv6 without brackets) and port."""

    scheme: str
    host: str
    port: int


def url_origin(url: str) -> Origin:
    """The origin a request to `url` connects to; UnsafeAddress for anything but a plain http(s) URL."""
    _refuse_odd_characters(url)
    scheme_text, separator, rest = url.partition("://")
    if not separator:
        raise UnsafeAddress("not an absolute http(s) address")
    authority = rest.split("/", 1)[0]
    if "@" in authority:  # '#@' and '?@' too: parsers disagree on where the authority ends
        raise UnsafeAddress("user information before the host")
    if "%" in authority:
        raise UnsafeAddress("percent-encoding in the host")
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise UnsafeAddress("unreadable address") from None
    scheme, host = parsed.scheme or "", parsed.host or ""
    if scheme not in _DEFAULT_PORTS or scheme_text.lower() != scheme:
        raise UnsafeAddress(f"scheme {scheme_text[:10]!r} is not http or https")
    if not host:
        raise UnsafeAddress("no host")
    # Case aside (DNS names are case-insensitive; urllib3 lower-cases them before connecting),
    # the text must be exactly what urllib3 read: nothing decoded, re-encoded or dropped on the way.
    if authority.lower() != (host if parsed.port is None else f"{host}:{parsed.port}"):
        raise UnsafeAddress("host or port not written plainly")
    port = parsed.port if parsed.port is not None else _DEFAULT_PORTS[scheme]
    return Origin(scheme, canonical_host(host), port)


def canonical_host(host: str) -> str:
    """`host` (lower case, IPv6 unbracketed) when it is written the one way resolvers agree on."""
    host = host.lower()
    if not host:
        raise UnsafeAddress("no host")
    if host.startswith("[") or ":" in host:
        return _canonical_ipv6(host.removeprefix("[").removesuffix("]"))
    labels = host.split(".")
    if labels[-1] == "":
        raise UnsafeAddress("trailing dot in the host")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            address = ipaddress.IPv4Address(host)  # refuses 127.1, 2130706433, 0x7f.1 and 0177.0.0.1
        except ValueError:
            raise UnsafeAddress("IPv4 address not in dotted-quad form") from None
        return str(address)
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise UnsafeAddress("host name with characters DNS names do not use")
    return host


def _canonical_ipv6(text: str) -> str:
    if "%" in text:
        raise UnsafeAddress("IPv6 zone in the host")
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        raise UnsafeAddress("unreadable IPv6 address") from None
    if address.ipv4_mapped is not None:
        raise UnsafeAddress("IPv4 address written as IPv6")
    if str(address) != text:
        raise UnsafeAddress("IPv6 address not in canonical form")
    return text


def _refuse_odd_characters(text: str) -> None:
    if not isinstance(text, str) or not text:
        raise UnsafeAddress("empty address")
    if any(not "!" <= char <= "~" for char in text):
        raise UnsafeAddress("control character, space or non-ASCII character in the address")
    if "\\" in text:
        raise UnsafeAddress("backslash in the address")


def shown(url: object) -> str:
    """The scheme-less authority part of `url`, printable on one line (escapes for anything else)."""
    text = str(url)
    text = text.partition("://")[2].split("/", 1)[0] if "://" in text else text
    text = "".join(char if " " <= char <= "~" else ascii(char)[1:-1] for char in text)
    return text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH] + "..."


@dataclass(frozen=True)
class HostAllowList:
    """Zoho's hosts (https, port 443) plus the configured accounts server's origin; for the
    sandbox, loopback hosts plus the configured server and no Zoho host at all."""

    accounts_url: str = ""
    sandbox: bool = False

    @cached_property
    def _accounts_origin(self) -> Origin | None:
        try:
            return url_origin(self.accounts_url) if self.accounts_url else None
        except UnsafeAddress:
            return None  # an odd configured address is not trusted; requests to it are refused

    def allows_origin(self, origin: Origin) -> bool:
        if origin == self._accounts_origin:
            return True
        if self.sandbox:
            return origin.host in _LOOPBACK
        return origin.scheme == "https" and origin.port == 443 and origin.host in ZOHO_HOSTS

    def allows(self, url: str) -> bool:
        try:
            return self.allows_origin(url_origin(url))
        except UnsafeAddress:
            return False

    def origin(self, url: str, *, what: str) -> Origin:
        """The allowed origin of `url`; ZohoHostRefused with one line saying why otherwise."""
        try:
            origin = url_origin(url)
        except UnsafeAddress as exc:
            raise ZohoHostRefused(f"{what} points at {shown(url)}: {exc}; refused") from None
        if not self.allows_origin(origin):
            raise ZohoHostRefused(f"{what} points at {shown(url)}, which is not a Zoho host; refused")
        return origin

    def check(self, url: str, *, what: str) -> str:
        """`url` unchanged when allowed; ZohoHostRefused naming the host otherwise."""
        self.origin(url, what=what)
        return url

    def check_redirect(self, base: str, location: str, *, what: str) -> str:
        """The absolute target of a Location header, judged before and after resolving it against `base`
        (urljoin quietly drops tabs and newlines, so the raw header is judged first)."""
        try:
            _refuse_odd_characters(location)
        except UnsafeAddress as exc:
            raise ZohoHostRefused(f"{what} points at {shown(location)}: {exc}; refused") from None
        return self.check(urljoin(base, location), what=what)

    def check_connection(self, *, scheme: str | None, host: str | None, port: int | None, what: str) -> None:
        """Refuse to open a connection to a host or port off the list, however the URL was written."""
        scheme = (scheme or "http").lower()
        where = f"{host}:{port}" if port is not None else str(host)
        port = port if port is not None else _DEFAULT_PORTS.get(scheme, 0)
        try:
            origin = Origin(scheme, canonical_host(host or ""), port)
        except UnsafeAddress as exc:
            raise ZohoHostRefused(f"{what} to {shown(where)}: {exc}; refused") from None
        if scheme not in _DEFAULT_PORTS or not self.allows_origin(origin):
            raise ZohoHostRefused(f"{what} to {shown(where)}, which is not a Zoho host; refused")
