"""Helpers for the Zoho client tests: a client wired to `responses`, fake sleeps, private caches."""
from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import responses
from django.core.cache.backends.locmem import LocMemCache

from zoho.client import ZohoClient
from zoho.config import ZohoSettings
from zoho.limits import MemoryBackend

ACCOUNTS = "https://accounts.test"
API = "https://www.zohoapis.com"
TOKEN_URL = f"{ACCOUNTS}/oauth/v2/token"
INVENTORY = f"{API}/inventory/v1"
BOOKS = f"{API}/books/v3"
SECRET = "s3cret-client-value"
REFRESH = "1000.refresh-token-value"
ORG = "10234695"

BASE = ZohoSettings(
    client_id="1000.CLIENTID", client_secret=SECRET, refresh_token=REFRESH, organization_id=ORG,
    dc="com", accounts_url=ACCOUNTS, rate_limit_per_minute=0, max_concurrency=5, timeout=5.0,
    daily_quota_reserve=0, retry_attempts=4, retry_base=0.001, retry_max=0.01, rate_limit_wait=0.02,
    quota_max_wait=5.0, circuit_failures=0, circuit_cooldown=60.0, token_margin=300.0,
)


class Sleeps(list):
    """A sleep() that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeTime(Sleeps):
    """sleep() that records and moves a fake clock forward, for the quota guard and the breaker."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        super().__init__()
        self.now = start

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def private_cache() -> LocMemCache:
    return LocMemCache(f"zoho-test-{uuid.uuid4().hex}", {})


def make_client(*, sleep: Any = None, cache: Any = None, **overrides: Any) -> ZohoClient:
    config = dataclasses.replace(BASE, **overrides)
    sleep = sleep if sleep is not None else FakeTime()
    clock = sleep.clock if isinstance(sleep, FakeTime) else time.time
    return ZohoClient(config, cache=cache or private_cache(), limiter_backend=MemoryBackend(), sleep=sleep,
                      clock=clock)


def add_token(rsps: responses.RequestsMock, value: str = "tok-1", expires_in: int = 3600, **extra: Any) -> None:
    body = {"access_token": value, "expires_in": expires_in, "api_domain": API, "token_type": "Bearer", **extra}
    rsps.post(TOKEN_URL, json=body)


def envelope(**body: Any) -> dict[str, Any]:
    return {"code": 0, "message": "success", **body}


def token_calls(rsps: responses.RequestsMock) -> list[Any]:
    return [call for call in rsps.calls if call.request.url.startswith(TOKEN_URL)]


def api_calls(rsps: responses.RequestsMock) -> list[Any]:
    return [call for call in rsps.calls if call.request.url.startswith(API)]


class ZohoLogs:
    """Capture the "zoho" logger (it does not propagate to the root logger caplog listens on)."""

    def __init__(self, caplog: Any) -> None:
        self._caplog = caplog
        self._logger = logging.getLogger("zoho")

    def __enter__(self) -> ZohoLogs:
        self._level = self._logger.level
        self._logger.addHandler(self._caplog.handler)
        self._logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self._caplog.handler)
        self._logger.setLevel(self._level)

    @property
    def text(self) -> str:
        return self._caplog.text


def isolated_redis_url(url: str, db: int = 15) -> str:
    """The same Redis server, another logical database: other suites' cache.clear() (FLUSHDB) on the
    configured one must not wipe a limiter timeline in the middle of a timing test."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))
