"""Deletion detection after a complete listing: local records Zoho no longer lists are marked, never dropped."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sync.entities import EntitySpec
from sync.models import AuditEntry, SyncRun
from sync.upsert.audit import AuditContext, audit_write


def mark_deleted(*, spec: EntitySpec, seen: set[str], run: SyncRun | None, dry_run: bool = False,
                 correlation_id: str = "") -> int:
    """is_active=False + deleted_in_zoho_at + one 'delete' audit entry per record; returns how many."""
    key = spec.model_id_field
    live = spec.model.objects.filter(deleted_in_zoho_at__isnull=True)
    gone = sorted(set(live.values_list(key, flat=True)) - seen)
    if dry_run or not gone:
        return len(gone)
    ctx = AuditContext(entity=spec.name, source="pull", run=run, correlation_id=correlation_id)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(gone), 1000):
            chunk = gone[start:start + 1000]
            spec.model.objects.filter(**{f"{key}__in": chunk}).update(
                is_active=False, deleted_in_zoho_at=now, updated_at=now)
        audit_write([ctx.entry(zoho_id, AuditEntry.Action.DELETE, "is_active", True, False) for zoho_id in gone])
    return len(gone)
