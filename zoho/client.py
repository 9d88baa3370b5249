"""ZohoClient: the one place that sends HTTP requests to Zoho Books and Inventory.

Each call: circuit check -> daily-quota check -> token -> concurrency slot ->
rate-limit slot -> request -> envelope check. Transient failures are retried
(tenacity) with exponential backoff and full jitter; code 44 waits a minute,
1070 retries soon, 45 waits for the quota reset when that is near. A refused
token (401, code 57/14) is refreshed once and the call repeated.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from zoho import hooks
from zoho.auth import AccessToken, TokenProvider
from zoho.breaker import CircuitBreaker
from zoho.concurrency import ConcurrencyGate, concurrency_key
from zoho.config import ZohoSettings, settings_from_django
from zoho.dc import api_base
from zoho.envelope import AUTH_CODES, parse_envelope
from zoho.errors import (
    CircuitOpenError,
    ZohoAuthError,
    ZohoError,
    ZohoOrganizationError,
    ZohoPermanentError,
    ZohoQuotaExceeded,
    ZohoRateLimitError,
    ZohoTransientError,
)
from zoho.ids import is_zoho_id, path_quote
from zoho.images import ItemImage, image_from_response
from zoho.limits import Backend, RateLimiter, limiter_key
from zoho.metrics import CallStats, QuotaInfo, endpoint_name
from zoho.net import describe_network_error
from zoho.quota import QuotaGuard
from zoho.shared import shared_cache
from zoho.transport import zoho_session

logger = logging.getLogger("zoho")
MAX_PER_PAGE = 200
MAX_REDIRECTS = 3

__all__ = ["ItemImage", "Page", "ZohoClient", "get_client"]


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    number: int
    has_more: bool
    context: dict[str, Any]


class ZohoClient:
    def __init__(self, config: ZohoSettings, *, cache: Any = None, limiter_backend: Backend | None = None,
                 redis_url: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.hosts = config.hosts
        self.stats = CallStats()
        self._sleep = sleep
        self._local = threading.local()
        self._refused_after_refresh: set[str] = set()
        cache = cache if cache is not None else shared_cache()
        org = config.organization_id
        scope = org_scope(org, config.resolved_accounts_url)
        self.tokens = TokenProvider(
            client_id=config.client_id, client_secret=config.client_secret, refresh_token=config.refresh_token,
            accounts_url=config.resolved_accounts_url, organization_id=org, dc=config.dc, cache=cache,
            timeout=config.timeout, margin=config.token_margin, on_refresh=self._count_refresh,
            hosts=self.hosts, window=config.token_window)
        self.limiter = RateLimiter(key=limiter_key(scope), per_minute=config.rate_limit_per_minute,
                                   backend=limiter_backend, sleep=sleep)
        self.gate = ConcurrencyGate(key=concurrency_key(scope), limit=config.max_concurrency, redis_url=redis_url,
                                    lease=config.timeout + 60)
        self.breaker = CircuitBreaker(key=f"zoho:circuit:{scope}", threshold=config.circuit_failures,
                                      cooldown=config.circuit_cooldown, cache=cache, clock=clock)
        self.quota_guard = QuotaGuard(key=f"zoho:quota:{scope}", reserve=config.daily_quota_reserve, cache=cache,
                                      clock=clock)

    def __repr__(self) -> str:
        return f"ZohoClient(organization_id={self.config.organization_id!r}, accounts={self.tokens.accounts_url!r})"

    @property
    def quota(self) -> QuotaInfo | None:
        return self.quota_guard.latest

    # --- public API ---------------------------------------------------------------
    def get(self, api: str, path: str, *, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET one resource; returns the whole envelope (code 0 checked)."""
        return self.request("GET", api, path, params=params, read=parse_envelope)

    def paginate(self, api: str, path: str, *, list_key: str, params: dict[str, Any] | None = None,
                 per_page: int = MAX_PER_PAGE, start_page: int = 1) -> Generator[Page, None, None]:
        """Yield pages one by one following page_context.has_more_page; nothing is accumulated."""
        per_page, number = max(1, min(per_page, MAX_PER_PAGE)), start_page
        while True:
            payload = self.get(api, path, params={**(params or {}), "page": number, "per_page": per_page})
            page = _page(payload, list_key, number, f"GET {api_base('', api)}{path}")
            yield page
            if not page.has_more:
                return
            if not page.records:
                logger.warning("zoho %s page %d is empty but has_more_page is true; stopping", path, number)
                return
            number += 1

    def item_details(self, item_ids: Iterable[str], *, chunk_size: int = 100) -> list[dict[str, Any]]:
        """Full item records (with per-warehouse/location stock) via the bulk /itemdetails call."""
        ids = list(dict.fromkeys(str(item_id) for item_id in item_ids))
        records: list[dict[str, Any]] = []
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start:start + chunk_size]
            payload = self.get("inventory", "/itemdetails", params={"item_ids": ",".join(chunk)})
            records.extend(payload.get("items") or [])
        return records

    def get_item_image(self, item_id: str, *, timeout: float | None = None) -> ItemImage:
        """The item's image bytes; ZohoNotFound when the item has none."""
        if not is_zoho_id(item_id):
            raise ZohoPermanentError(f"not a Zoho item id: {str(item_id)[:40]!r}", endpoint="GET /items/{id}/image")
        return self.request("GET", "inventory", f"/items/{item_id}/image", timeout=timeout,
                            read=image_from_response)

    def organization(self) -> dict[str, Any]:
        """This client's organization record from GET /books/v3/organizations."""
        payload = self.get("books", "/organizations")
        for org in payload.get("organizations") or []:
            if str(org.get("organization_id")) == self.config.organization_id:
                return org
        raise ZohoOrganizationError(
            f"organization {self.config.organization_id} is not among this user's Zoho organizations",
            endpoint="GET /books/v3/organizations")

    # --- one call, with retries -----------------------------------------------------
    def request(self, method: str, api: str, path: str, *, params: dict[str, Any] | None = None,
                timeout: float | None = None, read: Callable[[requests.Response, str], Any] = parse_envelope) -> Any:
        try:
            self.breaker.check()
        except CircuitOpenError as exc:
            self.stats.record_error(exc)
            raise
        retrying = Retrying(stop=stop_after_attempt(max(1, self.config.retry_attempts)), wait=self._wait,
                            retry=retry_if_exception(self._should_retry), sleep=self._sleep,
                            before_sleep=self._before_retry, reraise=True)
        try:
            result = retrying(self._call_with_auth, method, api, path, params or {}, timeout, read)
        except ZohoError as exc:
            self.stats.record_error(exc)
            if exc.transient and not exc.waits:  # "not now" from Zoho is an answer, not an outage
                self.breaker.record_failure(exc)
            raise
        self.breaker.record_success()
        return result

    def _call_with_auth(self, method: str, api: str, path: str, params: dict[str, Any], timeout: float | None,
                        read: Callable[[requests.Response, str], Any]) -> Any:
        token = self.tokens.token()
        try:
            return self._call(token, method, api, path, params, timeout, read)
        except ZohoAuthError as exc:
            if exc.code not in AUTH_CODES or exc.endpoint in self._refused_after_refresh:
                raise
            logger.info("zoho %s refused the access token (code %s); refreshing once", exc.endpoint, exc.code)
            self.tokens.invalidate(token)
        try:
            return self._call(self.tokens.token(), method, api, path, params, timeout, read)
        except ZohoAuthError as exc:
            # A fresh token refused too means a missing scope, not expiry: stop refreshing for this
            # endpoint, or an image run would burn Zoho's ten tokens per ten minutes in seconds.
            if exc.code in AUTH_CODES:
                self._refused_after_refresh.add(exc.endpoint)
            raise

    def _call(self, token: AccessToken, method: str, api: str, path: str, params: dict[str, Any],
              timeout: float | None, read: Callable[[requests.Response, str], Any]) -> Any:
        path = path_quote(path)
        url = api_base(token.api_domain, api) + path
        endpoint = endpoint_name(method, api_base("", api) + path)
        self.quota_guard.check()
        hooks.call_before(endpoint=endpoint, quota=self.quota_guard.latest)
        with self.gate.slot():
            self.limiter.acquire()
            response = self._send(method, url, endpoint, token, params, timeout)
        quota = QuotaInfo.from_headers(response.headers)
        self.quota_guard.observe(quota)
        hooks.call_after(endpoint=endpoint, status=response.status_code, quota=quota)
        try:
            return read(response, endpoint)
        except ZohoQuotaExceeded as exc:  # code 45: block every process until the reset, not just this call
            self.quota_guard.observe(QuotaInfo(limit=quota.limit if quota else None, remaining=0,
                                               reset_seconds=exc.reset_seconds or 60.0))
            raise

    def _send(self, method: str, url: str, endpoint: str, token: AccessToken, params: dict[str, Any],
              timeout: float | None) -> requests.Response:
        started = time.monotonic()
        try:
            response = self._session().request(
                method, self.hosts.check(url, what=f"the Zoho API host for {endpoint}"),
                params={**params, "organization_id": self.config.organization_id},
                headers={"Authorization": f"Zoho-oauthtoken {token.value}"}, timeout=timeout or self.config.timeout,
                allow_redirects=False)
            response = self._follow_redirects(response, url, token, timeout, endpoint)
        except requests.RequestException as exc:
            self.stats.record_call(endpoint, time.monotonic() - started)
            hooks.call_after(endpoint=endpoint, status="error", quota=None)
            raise ZohoTransientError(f"{describe_network_error(exc)} calling Zoho", endpoint=endpoint) from None
        elapsed = time.monotonic() - started
        self.stats.record_call(endpoint, elapsed)
        logger.debug("zoho %s -> HTTP %s in %.0f ms", endpoint, response.status_code, elapsed * 1000)
        return response

    def _follow_redirects(self, response: requests.Response, url: str, token: AccessToken, timeout: float | None,
                          endpoint: str) -> requests.Response:
        """Follow up to MAX_REDIRECTS hops, each judged like the first URL; the token goes only to the same origin."""
        hops = 0
        while response.is_redirect:
            hops += 1
            if hops > MAX_REDIRECTS:
                raise ZohoPermanentError(f"Zoho redirected more than {MAX_REDIRECTS} times", endpoint=endpoint)
            what = f"a redirect from {endpoint}"
            target = self.hosts.check_redirect(url, response.headers.get("Location", ""), what=what)
            same_origin = self.hosts.origin(target, what=what) == self.hosts.origin(url, what=what)
            headers = {"Authorization": f"Zoho-oauthtoken {token.value}"} if same_origin else {}
            response.close()
            response = self._session().get(target, headers=headers, timeout=timeout or self.config.timeout,
                                           allow_redirects=False)
            url = target
        return response

    def _session(self) -> requests.Session:
        # One Session per thread: connection pooling without sharing a Session across image threads.
        session = getattr(self._local, "session", None)
        if session is None:
            session = zoho_session(self.hosts, pool_maxsize=max(2, self.config.max_concurrency))
            self._local.session = session
        return session

    # --- retry policy ----------------------------------------------------------------
    def _should_retry(self, exc: BaseException) -> bool:
        if not isinstance(exc, ZohoError) or not exc.transient:
            return False
        if isinstance(exc, ZohoQuotaExceeded):
            return exc.reset_seconds is not None and exc.reset_seconds <= self.config.quota_max_wait
        return not exc.waits  # a refused token or an open circuit: the caller stops and resumes later

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        base, cap = self.config.retry_base, self.config.retry_max
        if isinstance(exc, ZohoQuotaExceeded):
            return float(exc.reset_seconds or 0) + 1.0
        if isinstance(exc, ZohoRateLimitError) and exc.code == 44:
            return self.config.rate_limit_wait
        if isinstance(exc, ZohoRateLimitError):
            return random.uniform(base, 3 * base)  # 1070: a slot frees up soon; jitter spreads the retries
        return random.uniform(0, min(cap, base * 2 ** (state.attempt_number - 1)))  # full jitter

    def _before_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        self.stats.record_retry()
        if isinstance(exc, ZohoRateLimitError) and exc.code == 44:
            self.limiter.hold_off(wait)  # every process backs off, not just this caller
        logger.warning("zoho call failed (%s); retry %d/%d in %.1fs", exc, state.attempt_number,
                       self.config.retry_attempts - 1, wait)

    def _count_refresh(self) -> None:
        self.stats.record_refresh()


def org_scope(organization_id: str, accounts_url: str) -> str:
    """Key part for shared state: the organization, plus its accounts server so that two Zohos (a
    sandbox per test, one per port) never share a circuit, a quota block or a rate timeline."""
    return f"{organization_id}:{hashlib.sha256(accounts_url.encode()).hexdigest()[:10]}"


def _page(payload: dict[str, Any], list_key: str, number: int, endpoint: str) -> Page:
    records = payload.get(list_key)
    if not isinstance(records, list):
        raise ZohoPermanentError(f"Zoho answer has no '{list_key}' list", endpoint=endpoint)
    context = payload.get("page_context") or {}
    return Page(records=records, number=number, has_more=bool(context.get("has_more_page")), context=context)


def get_client(**overrides: Any) -> ZohoClient:
    """A client from Django settings (ZohoConfigError when credentials are missing); overrides win."""
    from django.conf import settings

    config = settings_from_django()
    if overrides:
        config = dataclasses.replace(config, **overrides)
    return ZohoClient(config, redis_url=settings.REDIS_URL or None)
