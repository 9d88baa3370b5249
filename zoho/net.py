"""Turning requests' network exceptions into one short, secret-free phrase."""
from __future__ import annotations

import requests

_PATTERNS = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("Temporary failure in name resolution", "host name not found"),
    ("Failed to resolve", "host name not found"),
    ("No route to host", "no route to host"),
    ("Network is unreachable", "network unreachable"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
    ("Connection reset", "connection reset"),
    ("RemoteDisconnected", "connection closed by the server"),
    ("IncompleteRead", "response cut off"),
)


def describe_network_error(exc: BaseException) -> str:
    """'timed out after 5s' / 'connection refused' / ...; never the full URL (it may carry query data)."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    text = str(exc)
    for needle, phrase in _PATTERNS:
        if needle in text:
            return phrase
    return type(exc).__name__
