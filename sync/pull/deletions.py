"""The one deletion marker: a record deleted in Zoho is kept and marked, never dropped.

``records_mark_deleted`` is called for a webhook's delete event (the workers) and by the full
pull's deletion detection (``mark_deleted``: local records Zoho no longer lists).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from sync.entities import EntitySpec
from sync.models import AuditEntry, SyncRun
from sync.upsert.audit import AuditContext, audit_write

CHUNK = 1000  # ids per UPDATE … IN (…), below SQLite's bound-parameter limit


def records_mark_deleted(*, spec: EntitySpec, zoho_ids: Iterable[str], source: str, run: SyncRun | None = None,
                         correlation_id: str = "") -> list[str]:
    """is_active=False + deleted_in_zoho_at + one 'delete' audit entry per record not yet marked;
    returns the Zoho ids marked now."""
    key, ids = spec.model_id_field, sorted(set(zoho_ids))
    live = spec.model.objects.filter(deleted_in_zoho_at__isnull=True)
    gone = sorted(zid for start in range(0, len(ids), CHUNK)
                  for zid in live.filter(**{f"{key}__in": ids[start:start + CHUNK]}).values_list(key, flat=True))
    if not gone:
        return []
    ctx = AuditContext(entity=spec.name, source=source[:16], run=run, correlation_id=correlation_id)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(gone), CHUNK):
            spec.model.objects.filter(**{f"{key}__in": gone[start:start + CHUNK]}).update(
                is_active=False, deleted_in_zoho_at=now, updated_at=now)
        audit_write([ctx.entry(zoho_id, AuditEntry.Action.DELETE, "is_active", True, False) for zoho_id in gone])
    return gone


def mark_deleted(*, spec: EntitySpec, seen: set[str], run: SyncRun | None, dry_run: bool = False,
                 correlation_id: str = "") -> int:
    """After a complete listing: marks every live local record Zoho did not list; returns how many."""
    live = spec.model.objects.filter(deleted_in_zoho_at__isnull=True)
    gone = sorted(set(live.values_list(spec.model_id_field, flat=True)) - seen)
    if dry_run or not gone:
        return len(gone)
    return len(records_mark_deleted(spec=spec, zoho_ids=gone, source="pull", run=run, correlation_id=correlation_id))
