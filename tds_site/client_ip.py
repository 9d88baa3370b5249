"""The client's address for the login lock-out.

Behind nginx (TDS_BEHIND_PROXY=true) REMOTE_ADDR is nginx itself, so every
failed login would count against one address and lock everybody out. nginx
appends the real peer to X-Forwarded-For (`$proxy_add_x_forwarded_for`), so the
right-most entry is the one nginx saw; anything left of it came from the client
and can be forged.

The address is stored (django-axes keeps it in an inet column), so it must be
an IP address: a port that some proxies append (`203.0.113.7:51234`,
`[2001:db8::1]:443`) is dropped, and a right-most entry that is no address at
all (`not-an-ip`) cannot have been written by nginx: the request came past it,
so the address is the connection's own (REMOTE_ADDR). Without any usable
address the answer is None, which django-axes treats as unknown.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    if settings.TDS_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = ip_or_none(forwarded.split(",")[-1])
        if last:
            return last
    return ip_or_none(request.META.get("REMOTE_ADDR") or "")


def ip_or_none(text: str) -> str | None:
    """The IP address in `text` (a port, IPv6 brackets or zone around it allowed), normalised; else None."""
    text = text.strip()
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # v4:port (a bare v6 address has several colons)
        text = text.split(":", 1)[0]
    try:  # without an IPv6 zone (fe80::1%eth0): the inet column takes none
        return str(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return None
