"""ZohoPort: what the sync engine needs from a Zoho client.

zoho.client.ZohoClient satisfies it structurally (no inheritance), and so do
the in-memory stand-ins the tests use. Image sync asks only for ImagePort,
the download half. Code in sync/ takes a ZohoPort and
calls these members directly: every client takes ``timeout=`` on image
downloads, and every page stream can be closed early.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from zoho.images import ItemImage


class PageLike(Protocol):
    """One list page: its records (what the engine reads from a page)."""

    @property
    def records(self) -> list[dict[str, Any]]: ...


class PageStream(Protocol):
    """Pages fetched one by one; ``close()`` stops fetching before the last page."""

    def __iter__(self) -> Iterator[PageLike]: ...

    def __next__(self) -> PageLike: ...

    def close(self) -> None: ...


class CallCounts(Protocol):
    """API calls made so far by this client, in total and per endpoint."""

    @property
    def total(self) -> int: ...

    @property
    def by_endpoint(self) -> Mapping[str, int]: ...


@runtime_checkable
class ImagePort(Protocol):
    """What image sync needs: image downloads, and the call counts they add to."""

    @property
    def stats(self) -> CallCounts: ...

    def get_item_image(self, item_id: str, *, timeout: float | None = None) -> ItemImage: ...


@runtime_checkable
class ZohoPort(ImagePort, Protocol):
    """Everything the engine reads from Zoho: records, list pages, item details, images."""

    def get(self, api: str, path: str, *, params: dict[str, Any] | None = None) -> dict[str, Any]: ...

    def paginate(self, api: str, path: str, *, list_key: str, params: dict[str, Any] | None = None,
                 per_page: int = 200) -> PageStream: ...

    def item_details(self, item_ids: list[str]) -> list[dict[str, Any]]: ...
