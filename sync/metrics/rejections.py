"""Webhook deliveries refused at the door, counted by reason.

Counted in the cache (Redis when configured), not the database: a refused delivery leaves no row
behind, and a flood of them must not become a flood of writes. The webhook views count; the queue's
health answer reads.
"""
from __future__ import annotations

from django.core.cache import caches

REJECTED_COUNTER = "tds:webhooks:rejected:{reason}"
REJECTION_REASONS = ("signature_bad", "signature_missing", "http_400", "http_413", "http_422")


def count_rejected(reason: str) -> None:
    cache, key = caches["default"], REJECTED_COUNTER.format(reason=reason)
    try:
        cache.incr(key)
    except ValueError:  # the first refusal of this reason since the cache was emptied
        cache.set(key, 1, timeout=None)


def rejected_count(reason: str) -> int:
    return int(caches["default"].get(REJECTED_COUNTER.format(reason=reason)) or 0)


def rejections() -> dict[str, int]:
    """Every reason with its count (0 for a reason never seen)."""
    return {reason: rejected_count(reason) for reason in REJECTION_REASONS}
