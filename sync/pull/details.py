"""Detail fetches for documents whose list rendering lacks line_items (invoices, sales and purchase
orders in Zoho): only for records that are new or changed since the stored version."""
from __future__ import annotations

from typing import Any

from django.conf import settings

from sync.background import thread_map
from sync.entities import EntitySpec
from sync.mappers.common import timestamp, zid


def with_details(*, spec: EntitySpec, records: list[dict[str, Any]], client: Any) -> tuple[list[dict], int]:
    """(records to upsert — detail renderings where needed, count of unchanged records left out)."""
    key = spec.model_id_field
    ids = [zid(r.get(spec.id_field)) for r in records]
    stored = {z: (m, d) for z, m, d in spec.model.objects.filter(**{f"{key}__in": ids})
              .values_list(key, "zoho_last_modified", "deleted_in_zoho_at")}
    keep, fetch, unchanged = [], [], 0
    for record, zoho_id in zip(records, ids, strict=True):
        modified, deleted_at = stored.get(zoho_id, (None, None))
        listed = timestamp(record.get("last_modified_time"))
        if zoho_id in stored and deleted_at is None and modified is not None and listed == modified:
            unchanged += 1
        elif "line_items" in record or not zoho_id:
            keep.append(record)
        else:
            fetch.append(zoho_id)
    return keep + _fetch(spec, client, fetch), unchanged


def _fetch(spec: EntitySpec, client: Any, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    workers = max(1, min(int(getattr(settings, "ZOHO_MAX_CONCURRENCY", 5) or 1), len(ids)))

    def one(zoho_id: str) -> dict[str, Any]:
        return client.get(spec.api, spec.detail_path(zoho_id))[spec.detail_key]

    return thread_map(one, ids, workers=workers, name=f"tds-{spec.name}")
