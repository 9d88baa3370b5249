"""The one upsert: Zoho records -> mapped rows -> mirror tables, used by pulls and webhook workers.

Per batch: map and validate (sync.upsert.validate: a record that cannot be stored faithfully is
refused and counted failed, with its reasons), keep the newest record per Zoho id, sort by id
(workers lock rows in the same order, so no deadlocks), one query for the existing hashes and
last-modified times, skip what did not change, refuse versions older than the stored one
(counted as skipped), write the rest in one bulk statement, replace the lines of changed
documents and write the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from sync.entities import EntitySpec, get_spec
from sync.models import AuditEntry, SyncRun
from sync.stock.levels import DetailsFetch, levels_follow_up
from sync.upsert.audit import NOT_AUDITED, AuditContext, audit_write, update_entries
from sync.upsert.hashing import content_hash, content_keys, lines_hash
from sync.upsert.relink import adopt_orphans
from sync.upsert.sql import relax_commit, rows_by_keys, write_rows
from sync.upsert.validate import RecordRefused, Refusal, record_map
from zoho.ids import is_zoho_id


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    changed_ids: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    max_modified: datetime | None = None
    undated_ids: list[str] = field(default_factory=list)  # undated versions of dated records: not applied
    refusals: list[Refusal] = field(default_factory=list)  # records sync.upsert.validate refused
    stock_rows: int = 0  # stock_levels rows written with the batch (entities that carry stock)

    def merge(self, other: UpsertResult) -> None:
        for name in ("created", "updated", "unchanged", "skipped", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.changed_ids += other.changed_ids
        self.stock_rows += other.stock_rows
        self.undated_ids += other.undated_ids
        self.refusals += other.refusals[: max(0, 50 - len(self.refusals))]
        self.errors += other.errors[: max(0, 50 - len(self.errors))]
        if other.max_modified and (self.max_modified is None or other.max_modified > self.max_modified):
            self.max_modified = other.max_modified


@dataclass
class _Pending:
    zoho_id: str
    row: dict[str, Any]
    record: dict[str, Any]
    lines: list[dict[str, Any]] | None = None  # None: the record carries no lines
    action: str = "create"  # create | update | restore
    pk: int | None = None


def upsert_records(*, entity: str, records: list[dict[str, Any]], run: SyncRun | None = None,
                   source: str = "pull", dry_run: bool = False, correlation_id: str = "",
                   inbox_event_id: int | None = None, force: bool = False,
                   fetch_details: DetailsFetch | None = None) -> UpsertResult:
    """Write Zoho records of one entity; returns what happened to each (counts and changed ids).

    ``force`` rewrites records whose content hash is unchanged (a repair: the local row was
    edited outside TDS, so the hash no longer describes it); the stale guard still applies.
    An entity that carries per-warehouse stock gets its stock levels written here too
    (sync.stock.levels.levels_follow_up; ``fetch_details`` fetches the changed records' details
    when the records in hand do not carry their stock).
    """
    spec = get_spec(entity)
    result = UpsertResult()
    pending = _map_batch(spec, records, result)
    mapped = list(pending)
    stale = _classify(spec, pending, result, force=force)
    stored = [zoho_id for zoho_id in mapped if zoho_id not in stale]  # neither refused nor stale
    if not dry_run and pending:
        ctx = AuditContext(entity=spec.name, source=source, run=run, correlation_id=correlation_id,
                           inbox_event_id=inbox_event_id)
        with transaction.atomic():
            relax_commit()
            _write(spec, list(pending.values()), ctx)
        result.changed_ids = list(pending)
    if spec.stock_levels:
        result.stock_rows = levels_follow_up(id_field=spec.id_field, records=records, stored=stored,
                                             changed=result.changed_ids, fetch=fetch_details, dry_run=dry_run)
    return result


def _map_batch(spec: EntitySpec, records: list[dict[str, Any]], result: UpsertResult) -> dict[str, _Pending]:
    """Mapped rows keyed by Zoho id: the newest version of each record, in key order; refused
    records (sync.upsert.validate) are counted failed, with their reasons."""
    rows: dict[str, _Pending] = {}
    keys: tuple[str, ...] | None = None
    now = timezone.now()
    for record in records:
        try:
            mapped = record_map(spec=spec, record=record, now=now)
        except RecordRefused as refused:
            _refuse(spec, record, refused, result)
            continue
        row = mapped.row
        zoho_id = row[spec.model_id_field]
        seen = rows.get(zoho_id)
        if seen is not None:
            result.skipped += 1  # an older duplicate within the batch
            if _older(row.get("zoho_last_modified"), seen.row.get("zoho_last_modified")):
                continue
        keys = keys or content_keys(row)
        row["content_hash"] = content_hash(row, keys)
        if mapped.lines is not None:
            row["content_hash"] = lines_hash(row["content_hash"], mapped.lines)
        rows[zoho_id] = _Pending(zoho_id=zoho_id, row=row, record=record, lines=mapped.lines)
        modified = row.get("zoho_last_modified")
        if modified and (result.max_modified is None or modified > result.max_modified):
            result.max_modified = modified
    return dict(sorted(rows.items()))


def _refuse(spec: EntitySpec, record: Any, refused: RecordRefused, result: UpsertResult) -> None:
    raw_id = record.get(spec.id_field) if isinstance(record, dict) else None
    zoho_id = str(raw_id).strip() if raw_id is not None and is_zoho_id(raw_id) else ""
    shown = zoho_id or (repr(raw_id)[:40] if raw_id not in (None, "") else "(no id)")
    message = f"{spec.name} {shown} refused: {refused}"[:1000]
    result.failed += 1
    result.errors.append(message)
    result.refusals.append(Refusal(zoho_id=zoho_id, message=message))


def _older(new: datetime | None, old: datetime | None) -> bool:
    return bool(new and old and new < old)


def _classify(spec: EntitySpec, pending: dict[str, _Pending], result: UpsertResult, *, force: bool) -> set[str]:
    """One query for the batch: drop unchanged and stale records from ``pending``; count them all.
    Returns the ids of the stale ones (older than, or undated against, what is stored)."""
    stale: set[str] = set()
    key = spec.model_id_field
    existing = rows_by_keys(model=spec.model, key=key, keys=list(pending),
                            columns=(key, "id", "content_hash", "zoho_last_modified", "deleted_in_zoho_at"))
    for zoho_id, pk, stored_hash, stored_modified, deleted_at in existing:
        item = pending[zoho_id]
        item.pk = pk
        incoming = item.row.get("zoho_last_modified")
        if _older(incoming, stored_modified):
            result.skipped += 1
            stale.add(zoho_id)
            del pending[zoho_id]
        elif incoming is None and stored_modified is not None:
            # No way to tell which is newer: keep the dated version; the caller may fetch the current one.
            result.skipped += 1
            result.undated_ids.append(zoho_id)
            stale.add(zoho_id)
            del pending[zoho_id]
        elif deleted_at is not None:
            item.action = "restore"
        elif stored_hash == item.row["content_hash"] and not force:
            result.unchanged += 1
            del pending[zoho_id]
        else:
            item.action = "update"
    for item in pending.values():
        if item.action == "create":
            result.created += 1
        else:
            result.updated += 1
    return stale


def _write(spec: EntitySpec, items: list[_Pending], ctx: AuditContext) -> None:
    _resolve_fks(spec, items)
    old = _old_values(spec, [i.pk for i in items if i.action != "create" and i.pk is not None])
    now = timezone.now()
    rows = [{**i.row, "last_synced": now, "updated_at": now, "created_at": now, "deleted_in_zoho_at": None}
            for i in items]
    write_rows(model=spec.model, rows=rows, conflict=(spec.model_id_field,), guard=True,
               all_new=all(i.action == "create" for i in items))
    entries: list[dict[str, Any]] = []
    for item in items:
        if item.action == "create":
            entries.append(ctx.entry(item.zoho_id, AuditEntry.Action.CREATE))
        elif item.action == "restore":
            entries.append(ctx.entry(item.zoho_id, AuditEntry.Action.RESTORE))
        if item.action != "create" and item.pk in old:
            entries += update_entries(ctx, item.zoho_id, old[item.pk], item.row)
    if spec.lines is not None:
        _replace_lines(spec, items)
    adopt_orphans(spec.model_name, [i.zoho_id for i in items if i.action == "create"])
    audit_write(entries)


def _resolve_fks(spec: EntitySpec, items: list[_Pending]) -> None:
    """Set each FK from the row's Zoho id: one query per referenced model per batch."""
    for fk in spec.fks:
        ids = {i.row.get(fk.source) for i in items} - {"", None}
        model = apps.get_model("sync", fk.model)
        found = dict(model.objects.filter(**{f"{fk.key}__in": ids}).values_list(fk.key, "id")) if ids else {}
        for item in items:
            item.row[fk.field] = found.get(item.row.get(fk.source))


def _old_values(spec: EntitySpec, pks: list[int]) -> dict[int, dict[str, Any]]:
    if not pks:
        return {}
    names = [f.name for f in spec.model._meta.concrete_fields if f.name not in NOT_AUDITED]
    return {row["id"]: row for row in spec.model.objects.filter(pk__in=pks).values("id", *names)}


def _replace_lines(spec: EntitySpec, items: list[_Pending]) -> None:
    """Replace the child rows of the documents that changed and carry their lines."""
    lines = spec.lines
    if lines is None:
        return
    by_parent = {i.zoho_id: i.lines for i in items if i.lines is not None}
    if not by_parent:
        return
    parents = dict(spec.model.objects.filter(**{f"{spec.model_id_field}__in": list(by_parent)})
                   .values_list(spec.model_id_field, "id"))
    line_model = apps.get_model("sync", lines.model)
    line_model.objects.filter(**{f"{lines.parent_field}_id__in": list(parents.values())}).delete()
    products = _product_ids({r["zoho_item_id"] for rows in by_parent.values() for r in rows})
    names = {f.name for f in line_model._meta.concrete_fields}
    # Lines that name their warehouse (Zoho's location_id) link to it like they link to their product.
    warehouses = _warehouse_ids({r.get("zoho_location_id", "") for rows in by_parent.values() for r in rows}
                                if "warehouse" in names else set())
    now = timezone.now()
    objs = []
    for zoho_id, rows in by_parent.items():
        for row in rows:
            extra: dict[str, Any] = {"last_synced": now} if "last_synced" in names else {}
            if "warehouse" in names:
                extra["warehouse_id"] = warehouses.get(row.get("zoho_location_id", ""))
            objs.append(line_model(**row, **extra, **{f"{lines.parent_field}_id": parents[zoho_id],
                                                      "product_id": products.get(row["zoho_item_id"])}))
    line_model.objects.bulk_create(objs, batch_size=1000)


def _product_ids(zoho_item_ids: set[str]) -> dict[str, int]:
    from sync.models import Product

    ids = zoho_item_ids - {""}
    return dict(Product.objects.filter(zoho_item_id__in=ids).values_list("zoho_item_id", "id")) if ids else {}


def _warehouse_ids(zoho_location_ids: set[str]) -> dict[str, int]:
    from sync.models import Warehouse

    ids = zoho_location_ids - {""}
    if not ids:
        return {}
    return dict(Warehouse.objects.filter(zoho_warehouse_id__in=ids).values_list("zoho_warehouse_id", "id"))
