"""The Zoho side of a comparison: list pages (each list fetched once per run) and counts.

Zoho has no count endpoint for most lists, so a count either comes from the list
pages a run fetches anyway, or from probing pages. The local count is the hint:
page 1, then the page where the local count ends; if that page is Zoho's last
(records, ``has_more_page: false``) the count is exact after two calls, whatever the
size of the list. Otherwise the search gallops on (steps 1, 2, 4…) or bisects back,
about 2·log2(pages) calls in the worst case instead of one call per page.
``response_option=1`` (a ``total`` in ``page_context``, seen in third-party code but
not documented by Zoho) is used when Zoho answers with it.
"""
from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sync.zoho_port import ZohoPort

PER_PAGE = 200


@dataclass(frozen=True)
class Source:
    """One Zoho list endpoint with its fixed filters."""

    api: str
    path: str
    list_key: str
    params: tuple[tuple[str, str], ...] = ()
    keep: tuple[str, str] | None = None  # records of this list whose field has this value (no documented filter)
    paged: bool = True

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)


@dataclass
class ZohoSide:
    """Fetches list pages through the one Zoho client and keeps time spent waiting on HTTP."""

    client: ZohoPort
    http_seconds: float = 0.0
    _records: dict[Source, list[dict]] = field(default_factory=dict)

    def calls(self) -> int:
        return int(self.client.stats.total)

    def fetched(self, source: Source) -> bool:
        return source in self._records

    def records(self, source: Source) -> list[dict]:
        """Every record of the list, in pages of 200; cached for the run."""
        if source not in self._records and source.keep:  # one listing serves every part of a shared list
            whole = self.records(dataclasses.replace(source, keep=None))
            self._records[source] = [r for r in whole if isinstance(r, dict)
                                     and r.get(source.keep[0]) == source.keep[1]]
        if source not in self._records:
            if source.paged:
                pages = self.client.paginate(
                    source.api, source.path, list_key=source.list_key, params=source.param_dict, per_page=PER_PAGE
                )
                records = [record for page in self._timed(iter(pages)) for record in page.records]
            else:  # a list Zoho documents no paging for (locations): one answer
                started = time.perf_counter()
                try:
                    records = self.client.get(source.api, source.path, params=source.param_dict or None).get(
                        source.list_key) or []
                finally:
                    self.http_seconds += time.perf_counter() - started
            self._records[source] = records
        return self._records[source]

    def _timed(self, pages: Iterator[Any]) -> Iterator[Any]:
        while True:
            started = time.perf_counter()
            try:
                page = next(pages)
            except StopIteration:
                self.http_seconds += time.perf_counter() - started
                return
            self.http_seconds += time.perf_counter() - started
            yield page

    def count(self, source: Source, *, hint: int = 0) -> int:
        """The number of records in the list without fetching every page.

        ``hint`` is the expected count (the local one): when the two agree, page 1 and the
        page the hint ends on answer it, two calls whatever the size of the list.
        """
        if source in self._records or source.keep or not source.paged:
            return len(self.records(source))  # part of a shared list, or unpaged: only the records tell
        first = self._page(source, 1, response_option=True)
        total = first["context"].get("total")
        if isinstance(total, int | str) and str(total).isdigit():
            return int(total)
        if not first["has_more"]:
            return len(first["records"])
        return self._search(source, start=max(2, math.ceil(hint / PER_PAGE)))

    def _search(self, source: Source, *, start: int) -> int:
        """Gallop away from the expected last page (steps 1, 2, 4…, up or down), then bisect.

        A non-empty page without more is the last page and ends the search at once.
        """
        low, high, number, step = 1, 0, start, 1  # low: a page with more after it; high: past the end
        while True:
            page = self._page(source, number)
            if page["records"] and not page["has_more"]:
                return (number - 1) * PER_PAGE + len(page["records"])
            if page["has_more"]:
                low = number
            else:
                high = number
            if high and high - low <= 1:
                return low * PER_PAGE  # page `low` said "more" but the next one is empty
            number, step = _next_page(low, high, number, step)

    def _page(self, source: Source, number: int, *, response_option: bool = False) -> dict[str, Any]:
        params = source.param_dict | {"page": number, "per_page": PER_PAGE}
        if response_option:
            params["response_option"] = 1
        started = time.perf_counter()
        try:
            body = self.client.get(source.api, source.path, params=params)
        finally:
            self.http_seconds += time.perf_counter() - started
        context = body.get("page_context") or {}
        return {
            "records": body.get(source.list_key) or [],
            "has_more": bool(context.get("has_more_page")),
            "context": context,
        }


def _next_page(low: int, high: int, number: int, step: int) -> tuple[int, int]:
    if not high:  # still short of the end: gallop up
        return number + step, step * 2
    if low == 1 and number == high and high - step > 1:  # started past the end: gallop down
        return high - step, step * 2
    return (low + high) // 2, step
