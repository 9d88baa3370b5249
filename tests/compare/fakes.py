"""A stand-in for zoho.client.ZohoClient (paginate/get/stats) over in-memory lists, for engine unit tests."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    records: list[dict]
    number: int
    has_more: bool
    context: dict


@dataclass
class Stats:
    by_endpoint: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_endpoint.values())


class FakeClient:
    def __init__(self, lists: dict[str, list[dict]]) -> None:
        self.lists = lists
        self.stats = Stats()

    def _page(self, api: str, path: str, number: int, per_page: int) -> tuple[list[dict], bool]:
        self.stats.by_endpoint[f"GET /{api}/{path.strip('/')}"] += 1
        rows = self.lists[path]
        chunk = rows[(number - 1) * per_page: number * per_page]
        return chunk, number * per_page < len(rows)

    def paginate(self, api: str, path: str, *, list_key: str, params: dict | None = None, per_page: int = 200) -> Any:
        number = 1
        while True:
            records, more = self._page(api, path, number, per_page)
            yield Page(records, number, more, {"page": number, "has_more_page": more})
            if not more:
                return
            number += 1

    def get(self, api: str, path: str, params: dict | None = None) -> dict:
        params = params or {}
        number, per_page = int(params.get("page", 1)), int(params.get("per_page", 200))
        records, more = self._page(api, path, number, per_page)
        key = path.strip("/").split("/")[-1]
        return {"code": 0, key: records, "page_context": {"page": number, "has_more_page": more}}
