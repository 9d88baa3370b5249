"""One Redis connection pool per URL for the limiter and the concurrency gate."""
from __future__ import annotations

import threading
from typing import Any

_clients: dict[str, Any] = {}
_guard = threading.Lock()


def redis_client(url: str) -> Any:
    import redis

    with _guard:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        return _clients[url]
