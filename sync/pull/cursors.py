"""Per-entity watermarks (tds_sync_cursors). Advanced only after the data they cover is committed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from sync.models import SyncCursor, SyncRun

# Re-read a little before the watermark: Zoho's filter is per second and clocks drift.
OVERLAP = timedelta(minutes=2)


@dataclass(frozen=True)
class CursorState:
    entity: str
    watermark: datetime | None
    last_full_run_at: datetime | None


def cursor_get(*, entity: str) -> CursorState:
    row = SyncCursor.objects.filter(entity=entity).values("watermark", "last_full_run_at").first()
    if row is None:
        return CursorState(entity=entity, watermark=None, last_full_run_at=None)
    return CursorState(entity=entity, watermark=row["watermark"], last_full_run_at=row["last_full_run_at"])


def cursor_since(*, state: CursorState) -> datetime | None:
    return state.watermark - OVERLAP if state.watermark else None


def cursor_advance(*, entity: str, watermark: datetime | None, full: bool, run: SyncRun | None) -> None:
    """Move the watermark forward (never back) and stamp the run time."""
    now = timezone.now()
    cursor, _ = SyncCursor.objects.get_or_create(entity=entity)
    if watermark and (cursor.watermark is None or watermark > cursor.watermark):
        cursor.watermark = watermark
    if full:
        cursor.last_full_run_at = now
    else:
        cursor.last_incremental_run_at = now
    cursor.last_run = run if run is not None and run.pk and not run._state.adding else cursor.last_run
    cursor.save()


def zoho_time(value: datetime) -> str:
    """The list filter's format: yyyy-MM-ddTHH:mm:ss+hhmm (Zoho's own timestamp shape)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S%z")
