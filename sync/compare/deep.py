"""Record-level comparison on plain dicts: no models, no HTTP.

Both sides are reduced to {zoho_id: value} dicts first (one query per entity on
the local side, the list pages on the Zoho side), so 10,000 records compare in
milliseconds. Timestamps compare as whole epoch seconds: Zoho's
last_modified_time has second precision.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sync.compare.report import EntityComparison


def zoho_epoch(value: object) -> int | None:
    """'2025-11-18T02:02:51+0300' -> epoch seconds; None for empty or unparseable values."""
    if not value or not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value).timestamp())
    except ValueError:
        return None


def local_epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def compare_timestamps(
    entity: str, *, zoho: dict[str, int | None], local: dict[str, int | None], watermark: int | None,
    has_cursor: bool,
) -> EntityComparison:
    """Missing-local, missing-in-Zoho and stale (Zoho newer than the local copy)."""
    missing_local = [zid for zid in zoho if zid not in local]
    missing_in_zoho = [zid for zid in local if zid not in zoho]
    stale = [zid for zid, ts in zoho.items() if zid in local and _newer(ts, local[zid])]
    identical = len(zoho) - len(missing_local) - len(stale)
    behind = [] if watermark is None else [
        zid for zid in missing_local + stale if (zoho[zid] or 0) < watermark
    ]
    return EntityComparison(
        entity=entity, zoho_count=len(zoho), local_count=len(local), deep=True, identical=identical,
        missing_local=missing_local, missing_in_zoho=missing_in_zoho, stale=stale, behind_cursor=behind,
        has_cursor=has_cursor,
    )


def _newer(zoho_ts: int | None, local_ts: int | None) -> bool:
    if zoho_ts is None:
        return False
    return local_ts is None or zoho_ts > local_ts


def to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def compare_values(entity: str, *, zoho: dict[str, object], local: dict[str, object]) -> EntityComparison:
    """Same ids on both sides, equal values (stock on hand, image identity): ``stale`` lists the differing ones."""
    missing_local = [zid for zid in zoho if zid not in local]
    missing_in_zoho = [zid for zid in local if zid not in zoho]
    differing = [zid for zid, value in zoho.items() if zid in local and local[zid] != value]
    identical = len(zoho) - len(missing_local) - len(differing)
    return EntityComparison(
        entity=entity, zoho_count=len(zoho), local_count=len(local), deep=True, identical=identical,
        missing_local=missing_local, missing_in_zoho=missing_in_zoho, stale=differing,
    )


def present(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """Keep the ids whose value is set ("" and None mean: this side has nothing)."""
    return {zid: value for zid, value in pairs if value not in (None, "")}
