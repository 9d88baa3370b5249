"""Shared per-organization rate limiter: GCRA with burst 1, i.e. even pacing.

Every call reserves the next free slot on a shared timeline ("theoretical
arrival time", TAT) and sleeps until it: slots are `60 / limit` seconds apart
(plus a small safety margin), so no rolling 60-second window can hold more
than `limit` calls even when a request reaches Zoho a little late, and a long
run takes calls x interval, the floor. One atomic step per call, no polling.

Hand-written rather than `limits`/`pyrate-limiter`: those count fixed or
moving windows (a full window is allowed as one burst, which Zoho's rolling
minute punishes with code 44) and neither stores state in Django's database,
which is the shared store when Redis is absent.

Storage: Redis (one Lua script per call, key per organization) when
settings.REDIS_URL is set, else the tds_rate_limits table (`window_start` holds
the TAT) under a row lock.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

RESERVE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(tat, now + tonumber(ARGV[2]))
local next_tat = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', next_tat), 'EX', string.format('%d', next_tat - now + 120))
return string.format('%.6f', slot - now)
"""

LIMITER_ALIAS = "zoho_limiter"
_db_locks: dict[str, threading.Lock] = {}
_db_locks_guard = threading.Lock()


class Backend(Protocol):
    """The interface MemoryBackend, RedisBackend and DbBackend implement (a type, not code)."""

    def reserve(self, key: str, interval: float, delay: float = 0.0) -> float:
        """Take the next slot at least `delay` seconds from now; return seconds to wait for it."""


class MemoryBackend:
    """One process only: for tests and for callers that opt out of sharing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def reserve(self, key: str, interval: float, delay: float = 0.0) -> float:
        with self._lock:
            now = self._clock()
            slot = max(self._tat.get(key, 0.0), now + delay)
            self._tat[key] = slot + interval
            return slot - now


class RedisBackend:
    def __init__(self, url: str) -> None:
        from zoho.redis_conn import redis_client

        self._script = redis_client(url).register_script(RESERVE_LUA)

    def reserve(self, key: str, interval: float, delay: float = 0.0) -> float:
        return float(self._script(keys=[key], args=[f"{interval:.6f}", f"{delay:.6f}"]))


class DbBackend:
    """The tds_rate_limits row for the key, updated under a row (PostgreSQL) or database (SQLite) lock.

    Runs on its own connection (alias `zoho_limiter`, a copy of "default") so a
    reservation commits at once even when the caller is inside a transaction:
    otherwise other processes could not see the new TAT, and the row lock
    would be held until the caller's transaction ended. The UPDATE comes first
    so the write lock is taken before the read (SQLite then never upgrades a
    read lock, which deadlocks). A process-wide lock in front keeps this
    process's threads from queueing inside the database.
    """

    def __init__(self, lock: threading.Lock | None = None, attempts: int = 20) -> None:
        self._lock, self._attempts = lock, attempts
        self._known_rows: set[str] = set()

    def reserve(self, key: str, interval: float, delay: float = 0.0) -> float:
        from django.db import OperationalError

        alias = limiter_alias()
        with self._lock or _db_lock(key):
            for attempt in range(self._attempts):
                try:
                    self._ensure_row(alias, key)
                    return self._reserve_locked(alias, key, interval, delay)
                except OperationalError as exc:  # SQLite "database (table) is locked" under contention
                    if "locked" not in str(exc) or attempt == self._attempts - 1:
                        raise
                    time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _ensure_row(self, alias: str, key: str) -> None:
        if key not in self._known_rows:
            from zoho.models import RateLimitWindow

            RateLimitWindow.objects.using(alias).get_or_create(
                key=key, defaults={"window_start": datetime.fromtimestamp(0, UTC)})
            self._known_rows.add(key)

    def _reserve_locked(self, alias: str, key: str, interval: float, delay: float) -> float:
        from django.db import transaction
        from django.db.models import F

        from zoho.models import RateLimitWindow

        rows = RateLimitWindow.objects.using(alias)
        with transaction.atomic(using=alias):
            rows.filter(key=key).update(count=F("count") + 1)
            row = rows.select_for_update().get(key=key)
            now = datetime.now(UTC)
            slot = max(row.window_start, now + timedelta(seconds=delay))
            # count = calls queued ahead of the TAT; reset when the limiter has been idle
            count = 1 if row.window_start <= now else row.count
            rows.filter(pk=row.pk).update(window_start=slot + timedelta(seconds=interval), count=count)
        return (slot - now).total_seconds()


def limiter_alias() -> str:
    """Register (once) a second connection alias to the default database for the limiter."""
    from django.db import connections

    with _db_locks_guard:
        if LIMITER_ALIAS not in connections.settings:
            default = connections.settings["default"]
            # MIRROR: under a test runner the alias uses the test copy of "default", never a database of its own
            connections.settings[LIMITER_ALIAS] = {**default, "TEST": {**default.get("TEST", {}), "MIRROR": "default"}}
    return LIMITER_ALIAS


def _db_lock(key: str) -> threading.Lock:
    with _db_locks_guard:
        return _db_locks.setdefault(key, threading.Lock())


def default_backend() -> Backend:
    from django.conf import settings

    url = settings.REDIS_URL
    return RedisBackend(url) if url else DbBackend()


class RateLimiter:
    """At most `per_minute` calls per key across every process sharing the backend (0 = off)."""

    def __init__(self, *, key: str, per_minute: int, backend: Backend | None = None, margin: float = 0.02,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.key, self.per_minute = key, per_minute
        self.enabled = per_minute > 0
        self.interval = 60.0 / per_minute * (1 + margin) if self.enabled else 0.0
        self._backend: Backend | None = backend
        self._sleep = sleep
        self.waited = 0.0

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = default_backend()
        return self._backend

    def acquire(self) -> float:
        """Block until this caller's slot; returns the seconds waited."""
        if not self.enabled:
            return 0.0
        wait = self.backend.reserve(self.key, self.interval)
        if wait > 0:
            self._sleep(wait)
            self.waited += wait
        return max(wait, 0.0)

    def hold_off(self, seconds: float) -> None:
        """After Zoho's code 44, push every process's next slot `seconds` into the future."""
        if self.enabled and seconds > 0:
            self.backend.reserve(self.key, 0.0, delay=seconds)


def limiter_key(organization_id: str) -> str:
    return f"zoho:rate:{organization_id}"

