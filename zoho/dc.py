"""Zoho data centres: where to ask for tokens and, failing a token answer, where the API is.

Accounts hosts from Zoho's multi-DC page; note
Canada is accounts.zohocloud.ca, not accounts.zoho.ca. The API host normally
comes from the token response's `api_domain`, which is the authoritative one.
"""
from __future__ import annotations

from urllib.parse import urlparse

ACCOUNTS_HOSTS: dict[str, str] = {
    "com": "https://accounts.zoho.com",
    "eu": "https://accounts.zoho.eu",
    "in": "https://accounts.zoho.in",
    "com.au": "https://accounts.zoho.com.au",
    "jp": "https://accounts.zoho.jp",
    "ca": "https://accounts.zohocloud.ca",
    "sa": "https://accounts.zoho.sa",
    "uk": "https://accounts.zoho.uk",
    "com.cn": "https://accounts.zoho.com.cn",
}

API_PATHS: dict[str, str] = {"books": "/books/v3", "inventory": "/inventory/v1"}


def accounts_url(dc: str, override: str | None = None) -> str:
    """The accounts server for a DC; ZOHO_ACCOUNTS_URL (override) wins when set."""
    if override:
        return override.rstrip("/")
    try:
        return ACCOUNTS_HOSTS[dc]
    except KeyError:
        raise ValueError(f"unknown Zoho data centre {dc!r}; expected one of {', '.join(ACCOUNTS_HOSTS)}") from None


def default_api_domain(dc: str) -> str:
    """Fallback when a token response lacks api_domain (www.zohoapis.<tld>)."""
    return f"https://www.zohoapis.{dc}"


def api_base(api_domain: str, api: str) -> str:
    """`https://www.zohoapis.com` + `books` -> `https://www.zohoapis.com/books/v3`."""
    try:
        return api_domain.rstrip("/") + API_PATHS[api]
    except KeyError:
        raise ValueError(f"unknown Zoho API {api!r}; expected 'books' or 'inventory'") from None


ZOHO_DOMAINS = ("zoho", "zohoapis", "zohocloud")


def is_zoho_host(url: str) -> bool:
    """True for a real Zoho server (accounts.zoho.eu, www.zohoapis.com, accounts.zohocloud.ca, …)."""
    labels = (urlparse(url).hostname or "").lower().split(".")
    return any(label in ZOHO_DOMAINS for label in labels[:-1])
