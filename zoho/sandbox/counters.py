"""Counts of the calls the sandbox received: per endpoint template, per status, in total."""
from __future__ import annotations

import threading
from collections import Counter


class CallCounters:
    """`by_endpoint()` keys look like "GET /inventory/v1/items/{id}" (the token endpoint included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()

    def arrived(self, endpoint: str) -> None:
        """Counted when the request comes in, so a call the client gave up on (timeout) is never missed."""
        with self._lock:
            self._endpoints[endpoint] += 1

    def answered(self, status: int) -> None:
        with self._lock:
            self._statuses[status] += 1

    def record(self, endpoint: str, status: int) -> None:
        self.arrived(endpoint)
        self.answered(status)

    def total(self) -> int:
        with self._lock:
            return sum(self._endpoints.values())

    def by_endpoint(self) -> dict[str, int]:
        with self._lock:
            return dict(self._endpoints)

    def by_status(self) -> dict[int, int]:
        with self._lock:
            return dict(self._statuses)

    def api_total(self) -> int:
        """Calls to the Books/Inventory APIs only (not the token endpoint)."""
        with self._lock:
            return sum(n for endpoint, n in self._endpoints.items() if "/oauth/" not in endpoint)

    def reset(self) -> None:
        with self._lock:
            self._endpoints.clear()
            self._statuses.clear()

    def snapshot(self) -> dict[str, object]:
        return {"total": self.total(), "by_endpoint": self.by_endpoint(),
                "by_status": {str(k): v for k, v in self.by_status().items()}}
