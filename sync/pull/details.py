"""Detail fetches for documents whose list rendering lacks line_items (invoices, sales and purchase
orders in Zoho): only for records that are new or changed since the stored version.

Every detail that arrives is kept: when some fetches of a batch fail, the others are still upserted
(and committed) before the failure is raised, so a run that fails part-way has stored all it
fetched, and the next run fetches only what is still missing or changed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from sync.background import thread_map
from sync.entities import EntitySpec
from sync.mappers.common import Unreadable, timestamp, zid
from sync.zoho_port import ZohoPort
from zoho.ids import is_zoho_id

# Mapped columns that are not the record's listed content.
_NOT_LISTED = frozenset({"raw", "zoho_last_modified"})


@dataclass
class DetailBatch:
    records: list[dict[str, Any]]     # to upsert: detail renderings where needed
    unchanged: int                    # records left out because the stored version is current
    error: BaseException | None = None  # the first failed fetch, raised once the rest is stored


def with_details(*, spec: EntitySpec, records: list[dict[str, Any]], client: ZohoPort,
                 refresh: bool = False) -> DetailBatch:
    """``refresh`` (a full pass) fetches the detail of every record Zoho gives no version stamp for: a
    line edit that changes nothing the list shows is found there."""
    key = spec.model_id_field
    ids = [zid(r.get(spec.id_field)) if isinstance(r, dict) else "" for r in records]
    stored = {z: (m, d) for z, m, d in spec.model.objects.filter(**{f"{key}__in": ids})
              .values_list(key, "zoho_last_modified", "deleted_in_zoho_at")}
    same = set() if refresh else _same_rows(spec, records, ids, stored)
    keep, fetch, unchanged = [], [], 0
    stamps: dict[str, Any] = {}
    for record, zoho_id in zip(records, ids, strict=True):
        modified, deleted_at = stored.get(zoho_id, (None, None))
        listed = timestamp(record.get("last_modified_time")) if isinstance(record, dict) else None
        current = zoho_id in stored and deleted_at is None
        if current and modified is not None and listed == modified:
            unchanged += 1
        elif current and zoho_id in same:
            unchanged += 1  # no stamp in list or detail: the listed fields are what tells a change
        elif not is_zoho_id(zoho_id) or "line_items" in record or isinstance(listed, Unreadable):
            keep.append(record)  # a record the upsert will refuse costs no detail call (and a bad id no URL)
        else:
            fetch.append(zoho_id)
            stamps[zoho_id] = record.get("last_modified_time")
    fetched, error = _fetch(spec, client, fetch)
    for detail in fetched:
        # Zoho documents last_modified_time in some lists but not in the detail (a credit note's detail has
        # updated_time): the listed stamp names the version, so the next pass does not fetch it again.
        listed_stamp = stamps.get(zid(detail.get(spec.id_field)))
        if detail.get("last_modified_time") in (None, "") and listed_stamp not in (None, ""):
            detail["last_modified_time"] = listed_stamp
    return DetailBatch(records=keep + fetched, unchanged=unchanged, error=error)


def _same_rows(spec: EntitySpec, records: list[Any], ids: list[str],
               stored: dict[str, tuple[Any, Any]]) -> set[str]:
    """Ids of undated records (no stamp listed, none stored) whose listed fields equal the stored row's."""
    rows: dict[str, dict[str, Any]] = {}
    for record, zoho_id in zip(records, ids, strict=True):
        if zoho_id not in stored or stored[zoho_id][0] is not None or not isinstance(record, dict):
            continue
        if record.get("last_modified_time") not in (None, ""):
            continue
        try:
            rows[zoho_id] = {k: v for k, v in spec.mapper(record).items() if k not in _NOT_LISTED}
        except Exception:  # an unreadable list row is fetched, and refused by the upsert
            continue
    if not rows:
        return set()
    key = spec.model_id_field
    columns = sorted(next(iter(rows.values())))
    found = spec.model.objects.filter(**{f"{key}__in": list(rows)}).values(*columns)
    return {row[key] for row in found if rows[row[key]] == row}


def detail_record(spec: EntitySpec, payload: dict[str, Any]) -> dict[str, Any]:
    """The record of a detail answer: under its key, or (as Zoho documents a composite item's) at the top."""
    record = payload.get(spec.detail_key)
    if isinstance(record, dict):
        return record
    return {k: v for k, v in payload.items() if k not in ("code", "message")}


def _fetch(spec: EntitySpec, client: ZohoPort, ids: list[str]) -> tuple[list[dict[str, Any]], BaseException | None]:
    if not ids:
        return [], None
    workers = max(1, min(settings.ZOHO_MAX_CONCURRENCY, len(ids)))

    def one(zoho_id: str) -> dict[str, Any] | BaseException:
        try:
            return detail_record(spec, client.get(spec.api, spec.detail_path(zoho_id)))
        except Exception as exc:  # kept and raised after the fetched ones are stored
            return exc

    results = thread_map(one, ids, workers=workers, name=f"tds-{spec.name}")
    errors = [r for r in results if isinstance(r, BaseException)]
    return [r for r in results if not isinstance(r, BaseException)], (errors[0] if errors else None)
