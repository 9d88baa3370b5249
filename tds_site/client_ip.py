"""The client's address for the login lock-out.

Behind nginx (TDS_BEHIND_PROXY=true) REMOTE_ADDR is nginx itself, so every
failed login would count against one address and lock everybody out. nginx
appends the real peer to X-Forwarded-For (`$proxy_add_x_forwarded_for`), so the
right-most entry is the one nginx saw; anything left of it came from the client
and can be forged.
"""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "TDS_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None
