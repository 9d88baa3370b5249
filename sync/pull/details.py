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


@dataclass
class DetailBatch:
    records: list[dict[str, Any]]     # to upsert: detail renderings where needed
    unchanged: int                    # records left out because the stored version is current
    error: BaseException | None = None  # the first failed fetch, raised once the rest is stored


def with_details(*, spec: EntitySpec, records: list[dict[str, Any]], client: ZohoPort) -> DetailBatch:
    key = spec.model_id_field
    ids = [zid(r.get(spec.id_field)) if isinstance(r, dict) else "" for r in records]
    stored = {z: (m, d) for z, m, d in spec.model.objects.filter(**{f"{key}__in": ids})
              .values_list(key, "zoho_last_modified", "deleted_in_zoho_at")}
    keep, fetch, unchanged = [], [], 0
    for record, zoho_id in zip(records, ids, strict=True):
        modified, deleted_at = stored.get(zoho_id, (None, None))
        listed = timestamp(record.get("last_modified_time")) if isinstance(record, dict) else None
        if zoho_id in stored and deleted_at is None and modified is not None and listed == modified:
            unchanged += 1
        elif not is_zoho_id(zoho_id) or "line_items" in record or isinstance(listed, Unreadable):
            keep.append(record)  # a record the upsert will refuse costs no detail call (and a bad id no URL)
        else:
            fetch.append(zoho_id)
    fetched, error = _fetch(spec, client, fetch)
    return DetailBatch(records=keep + fetched, unchanged=unchanged, error=error)


def _fetch(spec: EntitySpec, client: ZohoPort, ids: list[str]) -> tuple[list[dict[str, Any]], BaseException | None]:
    if not ids:
        return [], None
    workers = max(1, min(settings.ZOHO_MAX_CONCURRENCY, len(ids)))

    def one(zoho_id: str) -> dict[str, Any] | BaseException:
        try:
            return client.get(spec.api, spec.detail_path(zoho_id))[spec.detail_key]
        except Exception as exc:  # noqa: BLE001 - kept and raised after the fetched ones are stored
            return exc

    results = thread_map(one, ids, workers=workers, name=f"tds-{spec.name}")
    errors = [r for r in results if isinstance(r, BaseException)]
    return [r for r in results if not isinstance(r, BaseException)], (errors[0] if errors else None)
