"""What the engine reports as it works, turned into metric points.

The run ledger's events carry the records of each batch (seen: every record read; synced: only
those written, created or updated, so an unchanged record re-read in an incremental pass's overlap
moves "seen" and not "synced"), run durations and failures; the queue reports each
committed batch (apply latency from Zoho's last_modified_time to the committed row); the inbox
reports each webhook it stores. Every function here only adds to the in-memory buffer.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sync import events
from sync.metrics.points import counter_add, observe, points_flush


def on_event(sender: Any, name: str, payload: dict[str, Any], **kwargs: Any) -> None:
    """tds_event receiver (connected in sync/apps.py)."""
    if name == events.ENTITY_SYNCED:
        labels = {"entity": payload["entity"], "source": payload["source"]}
        written = payload["created"] + payload["updated"]
        if written:
            counter_add("tds_items_synced_total", written, labels=labels)
        if payload["count"]:
            counter_add("tds_items_seen_total", payload["count"], labels=labels)
        if payload["failed"]:
            counter_add("tds_sync_errors_total", payload["failed"], labels={"entity": payload["entity"],
                                                                            "kind": "record"})
    elif name in (events.SYNC_COMPLETED, events.SYNC_FAILED):
        labels = {"run_type": payload["run_type"], "status": payload["status"]}
        observe("tds_run_duration_seconds", payload["duration_seconds"], labels=labels)
        if name == events.SYNC_FAILED:
            counter_add("tds_sync_errors_total", labels={"entity": payload["entity"] or payload["run_type"],
                                                         "kind": "run"})
        points_flush()  # a run's end is a natural moment to write: short commands exit right after
    elif name == events.DEADLETTER_ADDED:
        counter_add("tds_dead_letters_added_total", labels={"entity": payload["entity"]})


def webhook_received(*, entity: str, stored: bool) -> None:
    """One webhook at the inbox: stored, or a duplicate of one already stored."""
    counter_add("tds_webhooks_received_total", labels={"entity": entity,
                                                       "outcome": "stored" if stored else "duplicate"})


def queue_applied(items: Iterable[Any]) -> None:
    """Queue items applied in the current transaction: their apply latency, measured at commit."""
    stamps = [(item.entity, item.zoho_last_modified) for item in items if item.zoho_last_modified]
    if stamps:
        transaction.on_commit(lambda: _latencies(stamps))


def _latencies(stamps: list[tuple[str, Any]]) -> None:
    now = timezone.now()
    for entity, modified in stamps:
        observe("tds_apply_latency_seconds", max(0.0, (now - modified).total_seconds()), labels={"entity": entity})
