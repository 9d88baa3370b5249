"""The client's settings, read once from Django settings into a plain value.

Keeping them in a frozen dataclass lets the client, its tests and the
connection check build clients without Django (tests pass values directly).
Tuning knobs that settings.py does not define fall back to the defaults here.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from zoho.dc import accounts_url, is_zoho_host
from zoho.errors import ZohoConfigError
from zoho.hosts import HostAllowList

CREDENTIALS = ("ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_ORGANIZATION_ID")
SANDBOX_URL = "http://127.0.0.1:8765"  # where `bash scripts/sandbox` serves (ZOHO_SANDBOX_URL overrides)
SANDBOX_START = "bash scripts/sandbox (python manage.py zoho_sandbox --port 8765)"


@dataclass(frozen=True)
class ZohoSettings:
    client_id: str
    client_secret: str
    refresh_token: str
    organization_id: str
    dc: str = "com"
    accounts_url: str = ""
    rate_limit_per_minute: int = 100
    max_concurrency: int = 5
    timeout: float = 30.0
    daily_quota_reserve: int = 50
    retry_attempts: int = 5
    retry_base: float = 0.5
    retry_max: float = 30.0
    rate_limit_wait: float = 60.0
    quota_max_wait: float = 300.0
    circuit_failures: int = 5
    circuit_cooldown: float = 60.0
    token_margin: float = 300.0
    token_window: float = 600.0      # Zoho grants about ten access tokens per ten minutes
    sandbox: bool = False            # ZOHO_SANDBOX: never talk to a real Zoho host

    def __repr__(self) -> str:  # the default repr would print the secret and the refresh token
        return f"ZohoSettings(client_id={self.client_id!r}, organization_id={self.organization_id!r}, dc={self.dc!r})"

    @property
    def resolved_accounts_url(self) -> str:
        url = accounts_url(self.dc, self.accounts_url)
        if self.sandbox and is_zoho_host(url):
            raise ZohoConfigError(f"ZOHO_SANDBOX=true but the accounts server {url} is a real Zoho host: "
                                  "unset ZOHO_ACCOUNTS_URL (or set ZOHO_SANDBOX_URL) to use the sandbox")
        return url

    @property
    def hosts(self) -> HostAllowList:
        """Zoho's hosts, plus an explicitly configured accounts server, plus loopback for the sandbox."""
        return HostAllowList(accounts_url=self.accounts_url, sandbox=self.sandbox)


def settings_from_django() -> ZohoSettings:
    """Build from django.conf.settings; ZohoConfigError names every missing credential."""
    from django.conf import settings

    missing = [name for name in CREDENTIALS if not str(getattr(settings, name) or "").strip()]
    if missing:
        raise ZohoConfigError(
            "Zoho is not configured: set " + ", ".join(missing) + " (or ZOHO_SANDBOX=true for the local sandbox)",
            missing=missing,
        )
    sandbox = settings.ZOHO_SANDBOX
    accounts = settings.ZOHO_ACCOUNTS_URL
    if sandbox and not accounts:
        accounts = settings.ZOHO_SANDBOX_URL or SANDBOX_URL
    return ZohoSettings(
        client_id=settings.ZOHO_CLIENT_ID,
        client_secret=settings.ZOHO_CLIENT_SECRET,
        refresh_token=settings.ZOHO_REFRESH_TOKEN,
        organization_id=str(settings.ZOHO_ORGANIZATION_ID),
        dc=settings.ZOHO_DC,
        accounts_url=accounts,
        sandbox=sandbox,
        **_tuning(settings),
    )


def _tuning(settings: object) -> dict[str, Any]:
    names = {
        "rate_limit_per_minute": "ZOHO_RATE_LIMIT_PER_MINUTE", "max_concurrency": "ZOHO_MAX_CONCURRENCY",
        "timeout": "ZOHO_TIMEOUT_SECONDS", "daily_quota_reserve": "ZOHO_DAILY_QUOTA_RESERVE",
        "retry_attempts": "ZOHO_RETRY_ATTEMPTS", "retry_base": "ZOHO_RETRY_BASE_SECONDS",
        "retry_max": "ZOHO_RETRY_MAX_SECONDS", "rate_limit_wait": "ZOHO_RATE_LIMIT_WAIT_SECONDS",
        "quota_max_wait": "ZOHO_QUOTA_MAX_WAIT_SECONDS", "circuit_failures": "ZOHO_CIRCUIT_FAILURES",
        "circuit_cooldown": "ZOHO_CIRCUIT_COOLDOWN_SECONDS", "token_margin": "ZOHO_TOKEN_REFRESH_MARGIN_SECONDS",
        "token_window": "ZOHO_TOKEN_WINDOW_SECONDS",
    }
    return {field: getattr(settings, name) for field, name in names.items() if hasattr(settings, name)}


def sandbox_down(url: str) -> str:
    return f"the Zoho sandbox is not running at {url}; start it with {SANDBOX_START}"


def sandbox_check(config: ZohoSettings, *, timeout: float = 1.0) -> None:
    """With ZOHO_SANDBOX, one clear ZohoConfigError before any run starts when the sandbox is not up."""
    if not config.sandbox:
        return
    url = config.resolved_accounts_url
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80), timeout=timeout).close()
    except OSError:
        raise ZohoConfigError(sandbox_down(url)) from None
