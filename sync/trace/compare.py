"""Compare one mirrored record with Zoho now, and send Zoho's version through the inbox.

The record is fetched with ONE detail call through the Zoho client (so the call is rate-limited,
guarded by the breaker and counted in the API budget like any other), mapped by the entity's own
mapper (the one the upsert uses), and compared field by field with the mirror row, lines included.
"Apply" stores that same fetched version in the inbox as a poll event, exactly as the follow-up
fetch of an undated webhook does, so it is applied by the workers through the one upsert (stale
guard, audit trail) and shows up in the record's trace like any other event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import transaction

from sync.pipeline.inbox import inbox_add
from sync.pipeline.kick import queue_kick
from sync.pipeline.refetch import record_fetch
from sync.trace.record import RecordKey, TraceError, record_key
from sync.upsert.hashing import NOT_CONTENT, jsonable
from sync.upsert.validate import RecordRefused, record_map
from sync.zoho_port import ZohoPort
from zoho.errors import ZohoError, ZohoNotFound

NOT_COMPARED = NOT_CONTENT | {"last_synced"}


class ZohoAnswer(TraceError):
    """Zoho could not be asked, has no such record, or sent one that cannot be stored."""


class ZohoHasNoRecord(ZohoAnswer):
    """Zoho answered that it holds no such record: the caller's to know (404), not a failure of Zoho's."""


@dataclass
class Comparison:
    entity: str
    zoho_id: str
    in_mirror: bool
    differences: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, list[Any]] = field(default_factory=lambda: {"added": [], "removed": [], "changed": []})
    lines_compared: bool = False
    record: dict[str, Any] = field(default_factory=dict)  # Zoho's record as fetched

    @property
    def same(self) -> bool:
        return self.in_mirror and not self.differences and not any(self.lines.values())

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "zoho_id": self.zoho_id, "in_mirror": self.in_mirror, "same": self.same,
                "differences": self.differences, "lines": self.lines, "lines_compared": self.lines_compared,
                "zoho_last_modified": str(self.record.get("last_modified_time") or "") or None}


def _comparable(value: Any) -> Any:
    """Values as the mirror compares them: 6 == 6.0000, '' == None, times as instants."""
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value
    return jsonable(value)


def _shown(value: Any) -> Any:
    return None if value in ("", None) else jsonable(value)


def _field_diffs(row: dict[str, Any], stored: dict[str, Any] | None, skip: set[str]) -> list[dict[str, Any]]:
    out = []
    for name in sorted(row):
        if name in NOT_COMPARED or name in skip:
            continue
        mine = stored.get(name) if stored is not None else None
        if _comparable(mine) != _comparable(row[name]):
            out.append({"field": name, "mirror": _shown(mine), "zoho": _shown(row[name])})
    return out


def record_fetch_mapped(key: RecordKey, client: ZohoPort) -> tuple[dict[str, Any], Any]:
    """(Zoho's record, its mapped row and lines); TraceError with Zoho's answer on failure."""
    try:
        record = record_fetch(spec=key.spec, zoho_id=key.zoho_id, client=client)
    except ZohoNotFound:
        raise ZohoHasNoRecord(f"Zoho has no {key.spec.name} record with id {key.zoho_id}") from None
    except ZohoError as exc:
        raise ZohoAnswer(f"Zoho could not be asked: {str(exc).splitlines()[0][:300]}") from None
    if record is None:
        raise ZohoAnswer(f"Zoho's answer for {key.spec.name} {key.zoho_id} carries no record")
    try:
        mapped = record_map(spec=key.spec, record=record)
    except RecordRefused as exc:
        raise ZohoAnswer(f"Zoho's version of {key.spec.name} {key.zoho_id} cannot be stored: {exc}") from None
    return record, mapped


def record_compare(entity: str, zoho_id: str, *, client: ZohoPort | None = None) -> Comparison:
    """Fetch the record from Zoho (one call) and compare it with the mirror, field by field and line by line."""
    from zoho.client import get_client

    key = record_key(entity, zoho_id)
    spec = key.spec
    if client is None:
        try:
            client = get_client()
        except ZohoError as exc:  # no credentials configured
            raise ZohoAnswer(f"Zoho could not be asked: {str(exc).splitlines()[0][:300]}") from None
    record, mapped = record_fetch_mapped(key, client)
    fk_fields = {fk.field for fk in spec.fks}
    names = [f.attname if f.is_relation else f.name for f in spec.model._meta.concrete_fields]
    stored = spec.model.objects.filter(**{spec.model_id_field: key.zoho_id}).values("id", *names).first()
    result = Comparison(entity=spec.name, zoho_id=key.zoho_id, in_mirror=stored is not None, record=record)
    # When Zoho last modified it is shown apart (zoho_last_modified): the differences are the edited fields.
    result.differences = _field_diffs(mapped.row, stored, fk_fields | {"zoho_last_modified"})
    if spec.lines is not None and mapped.lines is not None:
        result.lines_compared = True
        result.lines = _line_diffs(key, mapped.lines, stored["id"] if stored else None)
    return result


def _line_diffs(key: RecordKey, fetched: list[dict[str, Any]], parent_pk: int | None) -> dict[str, list[Any]]:
    lines = key.spec.lines
    assert lines is not None  # the caller checked: only entities with lines get here
    model = apps.get_model("sync", lines.model)
    names = [f.name for f in model._meta.concrete_fields if not f.is_relation and f.name != "id"]
    mine = {row[lines.key]: row for row in model.objects.filter(**{f"{lines.parent_field}_id": parent_pk})
            .values(*names)} if parent_pk is not None else {}
    theirs = {str(row[lines.key]): row for row in fetched}
    out: dict[str, list[Any]] = {"added": [], "removed": [], "changed": []}
    for line_key in sorted(theirs):
        if line_key not in mine:
            out["added"].append({"key": line_key, "name": theirs[line_key].get("name", ""),
                                 "fields": _field_diffs(theirs[line_key], None, {"raw", lines.key})})
        else:
            diffs = _field_diffs(theirs[line_key], mine[line_key], {"raw", lines.key})
            if diffs:
                out["changed"].append({"key": line_key, "name": theirs[line_key].get("name", ""), "fields": diffs})
    out["removed"] = [{"key": k, "name": mine[k].get("name", "")} for k in sorted(set(mine) - set(theirs))]
    return out


@dataclass(frozen=True)
class Applied:
    inbox_event_id: int | None  # None: this very version was already stored as an event
    comparison: Comparison

    @property
    def duplicate(self) -> bool:
        return self.inbox_event_id is None


def record_refetch_apply(entity: str, zoho_id: str, *, client: ZohoPort | None = None,
                         correlation_id: str = "") -> Applied:
    """Fetch the record (one call), compare it, and store the fetched version in the inbox as a poll event;
    the workers apply it (a drain is asked for once the event is committed)."""
    comparison = record_compare(entity, zoho_id, client=client)
    stored = inbox_add(source="poll", entity=comparison.entity, record=comparison.record, zoho_id=comparison.zoho_id,
                       event_type="refetch", correlation_id=correlation_id)
    if not stored.duplicate:
        transaction.on_commit(queue_kick)
    return Applied(inbox_event_id=stored.event_id, comparison=comparison)
