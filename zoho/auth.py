"""OAuth refresh-token grant with a token shared by every worker process.

Zoho allows about ten access tokens per ten minutes per refresh token, so the
token lives in the "shared" cache (Redis or the tds_cache table) and is
refreshed early by one caller at a time: a lock per key inside the process,
`cache.add` as the lock across processes; waiters re-read the cache. A copy is
kept in memory too, so ordinary calls (and image threads) need no cache round
trip. Zoho returns no new refresh token, so the configured one is never replaced.

When Zoho refuses a new token ("Access Denied": too many in its window), no process asks again
for `window` seconds (a hold-off in the shared cache): asking would not get a token sooner and
could keep the refresh token blocked longer. Until then a caller that needs a new token gets
ZohoTokenLimitError at once, with the time it may try again.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from zoho.config import sandbox_down
from zoho.dc import default_api_domain
from zoho.errors import ZohoAuthError, ZohoConfigError, ZohoPermanentError, ZohoTokenLimitError, ZohoTransientError
from zoho.hosts import HostAllowList, shown
from zoho.net import describe_network_error
from zoho.shared import cache_call, shared_cache
from zoho.transport import zoho_session

logger = logging.getLogger("zoho")

_local_tokens: dict[str, AccessToken] = {}
_key_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float
    api_domain: str
    lifetime: float = 3600.0

    def valid_for(self, now: float) -> float:
        return self.expires_at - now


def clear_token_cache() -> None:
    """Forget the in-process copies (tests; the shared cache is cleared by its owner)."""
    with _registry_lock:
        _local_tokens.clear()


def _key_lock(key: str) -> threading.Lock:
    with _registry_lock:
        return _key_locks.setdefault(key, threading.Lock())


class TokenProvider:
    """Hands out a valid access token; refreshes it once, early, for everyone."""

    def __init__(self, *, client_id: str, client_secret: str, refresh_token: str, accounts_url: str,
                 organization_id: str, dc: str = "com", cache: Any = None, timeout: float = 30.0,
                 margin: float = 300.0, lock_timeout: float = 30.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 on_refresh: Callable[[], None] | None = None, hosts: HostAllowList | None = None,
                 window: float = 600.0) -> None:
        self._client_id, self._secret, self._refresh_token = client_id, client_secret, refresh_token
        self.accounts_url, self.dc = accounts_url.rstrip("/"), dc
        self._cache = cache if cache is not None else shared_cache()
        self._timeout, self._margin, self._lock_timeout = timeout, margin, lock_timeout
        self._clock, self._sleep, self._window = clock, sleep, window
        digest = hashlib.sha256(f"{client_id}|{self.accounts_url}|{organization_id}".encode()).hexdigest()[:24]
        self.key, self.lock_key = f"zoho:token:{digest}", f"zoho:token-lock:{digest}"
        self.hold_key = f"zoho:token-hold:{digest}"
        self.refreshes = 0
        self._on_refresh = on_refresh
        self.hosts = hosts if hosts is not None else HostAllowList(accounts_url=self.accounts_url)
        self._session = zoho_session(self.hosts)  # the client secret too goes only to an allowed host
        self.sandbox = self.hosts.sandbox  # an unreachable sandbox is a set-up problem, not a Zoho outage

    def __repr__(self) -> str:
        return f"TokenProvider(accounts_url={self.accounts_url!r})"

    def token(self) -> AccessToken:
        """A token valid for more than `margin` seconds, refreshing it if needed."""
        current = self._local()
        if self._fresh(current):
            return current  # type: ignore[return-value]
        with _key_lock(self.key):
            current = self._local()
            if self._fresh(current):
                return current  # type: ignore[return-value]
            shared = self._read_shared()
            if self._fresh(shared):
                _local_tokens[self.key] = shared  # type: ignore[assignment]
                return shared  # type: ignore[return-value]
            return self._refresh_single_flight(shared or current)

    def invalidate(self, token: AccessToken | None = None) -> None:
        """Drop a token Zoho refused (401, code 57/14) unless someone already replaced it."""
        with _key_lock(self.key):
            local = _local_tokens.get(self.key)
            if token is None or (local is not None and local.value == token.value):
                _local_tokens.pop(self.key, None)
            shared = self._read_shared()
            if shared is not None and (token is None or shared.value == token.value):
                self._cache_call("delete", self.key)

    def refresh(self) -> AccessToken:
        """Force a new token now (the connection check uses this to prove the refresh token works)."""
        self.invalidate()
        return self.token()

    def _fresh(self, token: AccessToken | None) -> bool:
        # Refresh `margin` seconds early, but never earlier than half-way: a short-lived token
        # (a test sandbox's) must not look stale from birth and burn Zoho's ten tokens per ten minutes.
        return token is not None and token.valid_for(self._clock()) > min(self._margin, token.lifetime / 2)

    def _refresh_single_flight(self, stale: AccessToken | None) -> AccessToken:
        deadline = self._clock() + self._lock_timeout
        while self._clock() < deadline:
            if self._cache_call("add", self.lock_key, "1", timeout=self._lock_timeout, default=True):
                try:
                    return self._refresh_locked()
                finally:
                    self._cache_call("delete", self.lock_key)
            if stale is not None and stale.valid_for(self._clock()) > 5:
                return stale  # another process is refreshing; the old token still works meanwhile
            self._sleep(0.05)
            shared = self._read_shared()
            if self._fresh(shared):
                _local_tokens[self.key] = shared  # type: ignore[assignment]
                return shared  # type: ignore[return-value]
        return self._refresh_locked()  # the lock holder died; its lock has expired by now

    def _refresh_locked(self) -> AccessToken:
        shared = self._read_shared()
        if self._fresh(shared):
            _local_tokens[self.key] = shared  # type: ignore[assignment]
            return shared  # type: ignore[return-value]
        self._check_hold()
        token = self._fetch()
        ttl = max(1, int(token.valid_for(self._clock())))
        self._cache_call("set", self.key, {"v": token.value, "e": token.expires_at, "d": token.api_domain,
                                           "l": token.lifetime}, timeout=ttl)
        _local_tokens[self.key] = token
        return token

    def _local(self) -> AccessToken | None:
        token = _local_tokens.get(self.key)
        if token is not None and not self._trusted(token, "in-process"):
            _local_tokens.pop(self.key, None)
            return None
        return token

    def _read_shared(self) -> AccessToken | None:
        raw = self._cache_call("get", self.key)
        if not isinstance(raw, dict):
            return None
        try:
            token = AccessToken(value=str(raw["v"]), expires_at=float(raw["e"]), api_domain=str(raw["d"]),
                                lifetime=float(raw.get("l", 3600.0)))
        except (KeyError, TypeError, ValueError):
            token = None
        if token is None or not self._trusted(token, "cached"):
            self._cache_call("delete", self.key)
            return None
        return token

    def _trusted(self, token: AccessToken, where: str) -> bool:
        # An entry written by an older version or another process, or one whose allow-list
        # differed, is judged again: the token must never travel to an api_domain refused today.
        if self.hosts.allows(token.api_domain):
            return True
        logger.warning("zoho %s access token names the api_domain %s, which is refused; discarded", where,
                       shown(token.api_domain))
        return False

    def _cache_call(self, method: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
        return cache_call(self._cache, method, *args, default=default, **kwargs)

    def _check_hold(self) -> None:
        """ZohoTokenLimitError while an earlier "Access Denied" holds every refresh off."""
        held = self._cache_call("get", self.hold_key)
        until = float(held.get("until", 0)) if isinstance(held, dict) else 0.0
        if until > self._clock():
            raise self._limit_error(until)

    def _hold(self) -> ZohoTokenLimitError:
        until = self._clock() + self._window
        self._cache_call("set", self.hold_key, {"until": until}, timeout=max(1, int(self._window) + 1))
        logger.warning("zoho accounts server %s refused a new access token; next try after %s", self.accounts_url,
                       _utc(until))
        return self._limit_error(until)

    def _limit_error(self, until: float) -> ZohoTokenLimitError:
        return ZohoTokenLimitError(
            f"Zoho accounts server {self.accounts_url} refused more token refreshes for now (Access Denied: too "
            f"many tokens requested); the next try is at {_utc(until)}", retry_after=max(0.0, until - self._clock()))

    def _fetch(self) -> AccessToken:
        payload = self._post_token_request()
        if "error" in payload:
            if "access denied" in str(payload.get("error")).lower():
                raise self._hold()
            raise _refusal(str(payload.get("error")), self.accounts_url)
        value = payload.get("access_token")
        if not value:
            raise ZohoAuthError(f"Zoho accounts server {self.accounts_url} answered without an access token")
        self.refreshes += 1
        if self._on_refresh is not None:
            self._on_refresh()
        expires_in = float(payload.get("expires_in") or 3600)  # documented lifetime: one hour
        api_domain = str(payload.get("api_domain") or default_api_domain(self.dc))
        # The access token is sent to api_domain: a host outside Zoho's would receive it.
        self.hosts.check(api_domain, what="the token answer's api_domain")
        logger.info("zoho access token refreshed at %s (valid %ds, api %s)", self.accounts_url, expires_in, api_domain)
        return AccessToken(value=str(value), expires_at=self._clock() + expires_in, api_domain=api_domain,
                           lifetime=expires_in)

    def _post_token_request(self) -> dict[str, Any]:
        # Form body rather than query string: secrets then never appear in URLs or exception texts.
        data = {"grant_type": "refresh_token", "client_id": self._client_id, "client_secret": self._secret,
                "refresh_token": self._refresh_token}
        url = self.hosts.check(f"{self.accounts_url}/oauth/v2/token", what="the Zoho accounts server")
        try:
            # No redirects: a 307 would carry the client secret to wherever Location points.
            response = self._session.post(url, data=data, timeout=self._timeout, allow_redirects=False)
        except requests.RequestException as exc:
            if self.sandbox:
                raise ZohoConfigError(sandbox_down(self.accounts_url)) from None
            raise ZohoTransientError(
                f"Cannot reach the Zoho accounts server {self.accounts_url}: {describe_network_error(exc)}"
            ) from None
        if response.is_redirect:
            raise ZohoPermanentError(f"Zoho accounts server {self.accounts_url} answered with a redirect; "
                                     "not followed (check ZOHO_DC / ZOHO_ACCOUNTS_URL)",
                                     http_status=response.status_code)
        if response.status_code >= 500:
            raise ZohoTransientError(f"Zoho accounts server {self.accounts_url} failed",
                                     http_status=response.status_code)
        try:
            payload = response.json()
        except ValueError:
            raise ZohoTransientError(
                f"Zoho accounts server {self.accounts_url} sent an unreadable answer", http_status=response.status_code
            ) from None
        return payload if isinstance(payload, dict) else {"error": "unexpected answer"}


def _refusal(error: str, accounts_url: str) -> Exception:
    if error == "invalid_code":
        return ZohoAuthError(f"Zoho refused the refresh token (invalid_code) at {accounts_url}: check "
                             "ZOHO_REFRESH_TOKEN and that ZOHO_DC/ZOHO_ACCOUNTS_URL is the data centre that issued it")
    if error == "invalid_client":
        return ZohoAuthError(f"Zoho refused the client (invalid_client) at {accounts_url}: check ZOHO_CLIENT_ID, "
                             "ZOHO_CLIENT_SECRET and ZOHO_DC")
    return ZohoAuthError(f"Zoho refused the token refresh at {accounts_url}: {error}")


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
