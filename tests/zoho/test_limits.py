"""Shared rate limiter (memory, DB, Redis), concurrency gate and circuit breaker."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
import responses

from tests.zoho.clientkit import (
    INVENTORY,
    FakeTime,
    add_token,
    api_calls,
    envelope,
    isolated_redis_url,
    make_client,
    private_cache,
)
from zoho.auth import clear_token_cache
from zoho.breaker import CircuitBreaker
from zoho.concurrency import ConcurrencyGate
from zoho.errors import CircuitOpenError, ZohoNotFound, ZohoTransientError
from zoho.limits import LIMITER_ALIAS, DbBackend, MemoryBackend, RateLimiter, RedisBackend, limiter_alias

ITEMS = f"{INVENTORY}/items"
limiter_alias()  # registered before the test databases are set up, so it mirrors the test "default"
DB_TEST = pytest.mark.django_db(transaction=True, databases=["default", LIMITER_ALIAS])


@pytest.fixture(autouse=True)
def _close_limiter_connection():
    yield
    from django.db import connections

    if LIMITER_ALIAS in connections.settings:
        connections[LIMITER_ALIAS].close()  # PostgreSQL cannot drop the test database while it is open


def unique_key() -> str:
    return f"zoho:rate:test-{uuid.uuid4().hex[:8]}"


def slots_from(backend, key: str, count: int, interval: float) -> list[float]:
    """Absolute slot times (monotonic-free: now + wait) for `count` reservations."""
    return [time.time() + backend.reserve(key, interval) for _ in range(count)]


def assert_paced(slots: list[float], interval: float, tolerance: float = 0.05) -> None:
    ordered = sorted(slots)
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    assert min(gaps) >= interval - tolerance, gaps


def test_limiter_off_when_zero():
    limiter = RateLimiter(key="k", per_minute=0, backend=MemoryBackend())
    assert not limiter.enabled and limiter.acquire() == 0.0


def test_even_pacing_with_memory_backend():
    now = [100.0]
    sleeps = FakeTime()
    limiter = RateLimiter(key="k", per_minute=100, backend=MemoryBackend(clock=lambda: now[0]), margin=0.0,
                          sleep=sleeps)
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.6, 1.2, 1.8])
    assert limiter.waited == pytest.approx(3.6)


def test_no_rolling_minute_exceeds_the_limit_in_real_time():
    # 600/min scaled down: no 1-second window may hold more than 10 calls. How close the
    # wall time stays to the floor is measured in bench/b2 (a timed assertion flakes under load).
    limiter = RateLimiter(key=unique_key(), per_minute=600, backend=MemoryBackend())  # 0.102 s apart
    stamps = []
    for _ in range(13):
        limiter.acquire()
        stamps.append(time.monotonic())
    assert all(stamps[i + 10] - stamps[i] >= 1.0 for i in range(len(stamps) - 10))


def test_hold_off_pushes_the_next_slot():
    now = [0.0]
    backend = MemoryBackend(clock=lambda: now[0])
    limiter = RateLimiter(key="k", per_minute=60, backend=backend, margin=0.0, sleep=lambda s: None)
    limiter.hold_off(30.0)
    assert backend.reserve("k", 1.0) == pytest.approx(30.0)


@DB_TEST
def test_db_backend_paces_and_keeps_the_tat_in_the_table():
    from django.db import transaction

    from zoho.models import RateLimitWindow

    key = unique_key()
    with transaction.atomic():  # a caller's open transaction must not hide the reservation from others
        assert_paced(slots_from(DbBackend(), key, 5, 0.2), 0.2)
        row = RateLimitWindow.objects.using(LIMITER_ALIAS).get(key=key)
        assert RateLimitWindow.objects.get(key=key).window_start == row.window_start
    assert row.count >= 1 and row.window_start.timestamp() > time.time()


@DB_TEST
def test_db_backend_shared_by_two_workers_with_separate_locks():
    key, slots, lock = unique_key(), [], threading.Lock()
    DbBackend().reserve(key, 0.0)  # create the row before the race

    def worker() -> None:
        from django.db import connections

        backend = DbBackend(lock=threading.Lock())  # its own "process" lock: only the database serialises
        try:
            mine = slots_from(backend, key, 6, 1.0)  # reserve() only computes waits: nothing sleeps
        finally:
            connections[LIMITER_ALIAS].close()
        with lock:
            slots.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slots) == 12
    assert_paced(slots, 1.0, tolerance=0.1)


@pytest.mark.redis
def test_redis_backend_shared_by_two_clients(settings):
    key = unique_key()
    url = isolated_redis_url(settings.REDIS_URL)
    first, second, slots = RedisBackend(url), RedisBackend(url), []
    threads = [threading.Thread(target=lambda b=b: slots.extend(slots_from(b, key, 8, 1.0))) for b in (first,
                                                                                                       second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slots) == 16
    assert_paced(slots, 1.0, tolerance=0.1)


def test_concurrency_gate_caps_calls_in_flight():
    gate = ConcurrencyGate(key=f"inflight-{uuid.uuid4().hex}", limit=3)
    active, peak, lock = [0], [0], threading.Lock()

    def call() -> None:
        with gate.slot():
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.03)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 3


@pytest.mark.redis
def test_redis_gate_counts_slots_across_processes(settings):
    key = f"zoho:inflight:test-{uuid.uuid4().hex[:8]}"
    gate = ConcurrencyGate(key=key, limit=2, redis_url=settings.REDIS_URL)
    with gate.slot(), ConcurrencyGate(key=key + "x", limit=2, redis_url=settings.REDIS_URL).slot():
        with gate.slot():
            # two leases held under `key`: a third caller (another process) is refused
            assert gate._acquire_script(keys=[key], args=[2, 60, "other-process"]) == 0
    assert gate._acquire_script(keys=[key], args=[2, 60, "other-process"]) == 1
    gate._redis.delete(key)


class TestCircuitBreaker:
    @pytest.fixture(autouse=True)
    def _tokens(self):
        clear_token_cache()
        yield
        clear_token_cache()

    def test_opens_after_consecutive_failures_and_says_so(self):
        fake = FakeTime()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            add_token(rsps)
            rsps.get(ITEMS, status=503, body="Service Unavailable")
            client = make_client(sleep=fake, retry_attempts=2, circuit_failures=3, circuit_cooldown=30)
            for _ in range(3):
                with pytest.raises(ZohoTransientError):
                    client.get("inventory", "/items")
            calls_when_opened = len(api_calls(rsps))
            with pytest.raises(CircuitOpenError) as info:
                client.get("inventory", "/items")
            assert len(api_calls(rsps)) == calls_when_opened == 6
        message = str(info.value)
        assert message.startswith("Zoho circuit open after 3 consecutive failures (last: ")
        assert "HTTP 503" in message and "next try at" in message
        assert client.breaker.state == "open"

    def test_half_open_trial_closes_it_again(self):
        fake = FakeTime()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            add_token(rsps)
            rsps.get(ITEMS, status=500, json={"code": 1000, "message": "Internal error"})
            client = make_client(sleep=fake, retry_attempts=1, circuit_failures=2, circuit_cooldown=30)
            for _ in range(2):
                with pytest.raises(ZohoTransientError):
                    client.get("inventory", "/items")
            fake.now += 31
            assert client.breaker.state == "half-open"
            rsps.replace(responses.GET, ITEMS, json=envelope(items=[]))
            client.get("inventory", "/items")
            assert client.breaker.state == "closed"

    def test_permanent_errors_do_not_count(self):
        with responses.RequestsMock() as rsps:
            add_token(rsps)
            rsps.get(ITEMS, status=404, json={"code": 1002, "message": "Item does not exist."})
            client = make_client(circuit_failures=2)
            for _ in range(3):
                with pytest.raises(ZohoNotFound):
                    client.get("inventory", "/items")
        assert client.breaker.state == "closed"

    def test_state_is_shared_through_the_cache(self):
        cache, now = private_cache(), [0.0]
        first = CircuitBreaker(key="zoho:circuit:x", threshold=2, cooldown=60, cache=cache, clock=lambda: now[0])
        second = CircuitBreaker(key="zoho:circuit:x", threshold=2, cooldown=60, cache=cache, clock=lambda: now[0])
        first.record_failure(ZohoTransientError("boom"))
        first.record_failure(ZohoTransientError("boom"))
        with pytest.raises(CircuitOpenError, match="after 2 consecutive failures"):
            second.check()
