"""Daily quota guard: stop before Zoho answers code 45.

Zoho reports the daily quota in X-Rate-Limit-Limit/-Remaining/-Reset on every
answer. Once Remaining falls to the configured reserve, this process refuses
further calls (ZohoQuotaExceeded with the seconds until reset) and publishes
the block in the shared cache, so other processes stop too; the block expires
with the reset. The shared entry is read at most every `sync_interval` seconds.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from zoho.errors import ZohoQuotaExceeded
from zoho.metrics import QuotaInfo
from zoho.shared import cache_call, shared_cache


class QuotaGuard:
    def __init__(self, *, key: str, reserve: int, cache: Any = None, clock: Callable[[], float] = time.time,
                 sync_interval: float = 5.0) -> None:
        self.key, self.reserve = key, reserve
        self._cache = cache if cache is not None else shared_cache()
        self._clock, self._sync_interval = clock, sync_interval
        self._lock = threading.Lock()
        self.latest: QuotaInfo | None = None
        self._block: dict[str, float] | None = None
        self._synced_at = float("-inf")

    def observe(self, quota: QuotaInfo | None) -> None:
        if quota is None:
            return
        with self._lock:
            self.latest = quota
            if quota.limit == 0:
                return  # "limit 0" carries no quota (a sandbox with the daily limit off sends it)
            if quota.remaining is not None and quota.remaining <= self.reserve:
                reset_at = self._clock() + (quota.reset_seconds or 60.0)
                self._block = {"remaining": quota.remaining, "limit": quota.limit or 0, "reset_at": reset_at}
                cache_call(self._cache, "set", self.key, self._block, timeout=max(1, int(reset_at - self._clock())))
            elif self._block is not None:
                self._block = None
                cache_call(self._cache, "delete", self.key)

    def check(self) -> None:
        """Raise ZohoQuotaExceeded while the daily quota is at or below the reserve."""
        block = self._current_block()
        if block is None:
            return
        reset_in = block["reset_at"] - self._clock()
        if reset_in <= 0:
            return
        of = f" of {int(block['limit'])}" if block.get("limit") else ""
        raise ZohoQuotaExceeded(
            f"Zoho daily API quota nearly used up: {int(block['remaining'])}{of} calls left "
            f"(reserve {self.reserve}); resets in {int(reset_in)}s",
            reset_seconds=reset_in,
        )

    def _current_block(self) -> dict[str, float] | None:
        with self._lock:
            if self._clock() - self._synced_at >= self._sync_interval:
                shared = cache_call(self._cache, "get", self.key)
                if isinstance(shared, dict):
                    self._block = shared
                self._synced_at = self._clock()
            return self._block
