"""Field-level audit entries for mirror changes and configuration changes (tds_audit_trail is append-only)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sync.models import AuditEntry, SyncRun
from sync.upsert.hashing import jsonable
from sync.upsert.sql import insert_rows

# Not audited field by field: the payload itself and bookkeeping that changes on every write.
NOT_AUDITED = frozenset({"raw", "content_hash", "last_synced", "created_at", "updated_at", "zoho_last_modified",
                         "deleted_in_zoho_at", "id"})


@dataclass(frozen=True)
class AuditContext:
    entity: str
    source: str = "pull"
    run: SyncRun | None = None
    correlation_id: str = ""
    inbox_event_id: int | None = None
    actor: str = ""             # the user who made a change by hand (a configuration change); "" for sync work

    def entry(self, zoho_id: str, action: str, field: str = "", old: Any = None, new: Any = None) -> dict[str, Any]:
        """An audit row as column values (plain dicts: a first load writes one per record)."""
        return {"entity": self.entity, "zoho_id": zoho_id, "action": action, "field": field[:64],
                "old_value": jsonable(old), "new_value": jsonable(new), "source": self.source[:16],
                "run_id": self.run.pk if self.run is not None else None, "inbox_event_id": self.inbox_event_id,
                "correlation_id": self.correlation_id, "actor": self.actor[:150]}


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for every audited field whose value really differs (6 == 6.0000)."""
    out = []
    for name, value in new.items():
        if name in NOT_AUDITED or name not in old:
            continue
        before = old[name]
        if before != value and not (before in ("", None) and value in ("", None)):
            out.append((name, before, value))
    return out


def update_entries(ctx: AuditContext, zoho_id: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict]:
    changes = changed_fields(old, new)
    if not changes:  # only unmapped payload fields changed: still one entry, so the change is visible
        return [ctx.entry(zoho_id, AuditEntry.Action.UPDATE, "raw")]
    return [ctx.entry(zoho_id, AuditEntry.Action.UPDATE, name, before, after) for name, before, after in changes]


def audit_write(entries: list[dict[str, Any]]) -> None:
    """Append entries (COPY on PostgreSQL: a first load writes one 'create' entry per record)."""
    if entries:
        now = timezone.now()
        insert_rows(model=AuditEntry, rows=[{**entry, "created_at": now} for entry in entries])
