"""The "shared" Django cache (Redis or the tds_cache table), used defensively.

Token, circuit state and quota block live there so every worker process sees
them. If the cache itself fails, callers carry on with their in-process view
rather than stopping the sync: the cache is a coordination aid, not the data.
"""
from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("zoho")


def shared_cache() -> Any:
    from django.core.cache import caches

    return caches["shared"]


def cache_call(cache: Any, method: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception as exc:  # backends raise anything from DB errors to socket errors
        logger.warning("shared cache %s failed (%s: %s); using this process's state", method, type(exc).__name__, exc)
        return default
