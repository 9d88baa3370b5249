"""A stand-in for zoho.client.ZohoClient over in-memory lists, for engine unit tests.

It satisfies sync.zoho_port.ZohoPort: paginate/get/item_details read the lists, and the
lists hold no images, so get_item_image answers as Zoho does for an item without one.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

from zoho.errors import ZohoNotFound
from zoho.images import ItemImage


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

    def paginate(self, api: str, path: str, *, list_key: str, params: dict | None = None,
                 per_page: int = 200) -> Generator[Page, None, None]:
        number = 1
        while True:
            records, more = self._page(api, path, number, per_page)
            yield Page(records, number, more, {"page": number, "has_more_page": more})
            if not more:
                return
            number += 1

    def get(self, api: str, path: str, *, params: dict | None = None) -> dict[str, Any]:
        params = params or {}
        number, per_page = int(params.get("page", 1)), int(params.get("per_page", 200))
        records, more = self._page(api, path, number, per_page)
        key = path.strip("/").split("/")[-1]
        return {"code": 0, key: records, "page_context": {"page": number, "has_more_page": more}}

    def item_details(self, item_ids: Iterable[str]) -> list[dict[str, Any]]:
        self.stats.by_endpoint["GET /inventory/itemdetails"] += 1
        wanted = {str(item_id) for item_id in item_ids}
        return [row for row in self.lists.get("/items", []) if str(row.get("item_id")) in wanted]

    def get_item_image(self, item_id: str, *, timeout: float | None = None) -> ItemImage:
        self.stats.by_endpoint["GET /inventory/items/{id}/image"] += 1
        raise ZohoNotFound(f"item {item_id} has no image", endpoint="GET /items/{id}/image")
