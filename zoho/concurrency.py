"""At most ZOHO_MAX_CONCURRENCY Zoho calls in flight per organization.

Inside a process: one semaphore per organization, shared by every client
instance (image threads, sync). Across processes, when Redis is configured:
a sorted set of leases (member per call, score = start time); stale leases of
crashed callers expire after `lease` seconds so a slot is never lost for good.
"""
from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('EXPIRE', KEYS[1], string.format('%d', tonumber(ARGV[2]) + 60))
  return 1
end
return 0
"""

_semaphores: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_guard = threading.Lock()


def _semaphore(key: str, limit: int) -> threading.BoundedSemaphore:
    with _guard:
        return _semaphores.setdefault((key, limit), threading.BoundedSemaphore(limit))


class ConcurrencyGate:
    def __init__(self, *, key: str, limit: int, redis_url: str | None = None, lease: float = 120.0) -> None:
        self.key, self.limit, self.lease = key, max(1, limit), lease
        self._semaphore = _semaphore(key, self.limit)
        self._redis = None
        if redis_url:
            from zoho.redis_conn import redis_client

            self._redis = redis_client(redis_url)
            self._acquire_script = self._redis.register_script(ACQUIRE_LUA)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._semaphore:
            member = self._acquire_shared()
            try:
                yield
            finally:
                if member is not None:
                    self._redis.zrem(self.key, member)  # type: ignore[union-attr]

    def _acquire_shared(self) -> str | None:
        if self._redis is None:
            return None
        member = uuid.uuid4().hex
        deadline = time.monotonic() + self.lease
        while not self._acquire_script(keys=[self.key], args=[self.limit, self.lease, member]):
            if time.monotonic() > deadline:
                break  # every lease is stale or stuck: proceed rather than stall the run for ever
            time.sleep(0.01 + random.random() * 0.02)
        return member


def concurrency_key(organization_id: str) -> str:
    return f"zoho:inflight:{organization_id}"
