"""Undated versions: when an event carries no usable last_modified_time for a record stored with
one, nothing tells which version is newer. The stored record is kept, and the record is fetched from
Zoho as it is now and sent through the inbox like any other event (source "poll"), so the answer
comes from the source of truth and follows the one path: inbox, queue, worker, upsert."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from sync.enqueue import task_enqueue
from sync.entities import EntitySpec, get_spec, webhook_vocabulary
from sync.pipeline.inbox import inbox_add
from sync.pipeline.kick import queue_kick
from sync.zoho_port import ZohoPort
from zoho.ids import is_zoho_id

logger = logging.getLogger("tds.workers")
MAX_IDS = 100  # one follow-up task fetches at most this many records


def refetch_later(*, entity: str, zoho_ids: list[str]) -> None:
    """After the surrounding commit, ask the cluster to fetch these records from Zoho."""
    ids = [zoho_id for zoho_id in zoho_ids if is_zoho_id(zoho_id)][:MAX_IDS]
    if not ids:
        return

    def enqueue() -> None:
        try:
            task_enqueue("sync.tasks.refetch_records", options={"task_name": f"tds: refetch {entity}"},
                         entity=entity, zoho_ids=ids)
        except Exception as exc:  # the next incremental pull brings the record anyway
            logger.warning("could not enqueue the refetch of %d %s (%s); the next pull brings them",
                           len(ids), entity, exc)

    transaction.on_commit(enqueue)


def records_refetch(*, entity: str, zoho_ids: list[str], client: ZohoPort | None = None) -> int:
    """Fetch each record's detail from Zoho and store it in the inbox; returns how many were stored."""
    from zoho.client import get_client

    spec = get_spec(entity)
    client = client or get_client()
    stored = 0
    for zoho_id in [z for z in zoho_ids if is_zoho_id(z)][:MAX_IDS]:
        record = record_fetch(spec=spec, zoho_id=zoho_id, client=client)
        if record is not None:
            stored += not inbox_add(source="poll", entity=spec.name, record=record, zoho_id=zoho_id,
                                    event_type="refetch").duplicate
    if stored:
        transaction.on_commit(queue_kick)
    return stored


def record_fetch(*, spec: EntitySpec, zoho_id: str, client: ZohoPort) -> dict[str, Any] | None:
    """One detail call: the record as Zoho holds it now (None when the answer carries no record)."""
    body = client.get(spec.api, spec.detail_path(zoho_id))
    keys = [spec.detail_key] if spec.detail_key else []
    keys += [key for key, meaning in webhook_vocabulary().body_keys.items() if meaning.entity == spec.name]
    return next((body[key] for key in keys if isinstance(body.get(key), dict)), None)
