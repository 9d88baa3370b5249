"""Deliveries as Zoho sends them, over real HTTP, and apply functions for queue tests."""
from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sync.models import AuditEntry
from zoho.webhooks import sign

SECRET = "sandbox-webhook-secret"


@dataclass
class Reply:
    status: int
    data: dict[str, Any]
    content_type: str


def post(base_url: str, path: str, body: bytes, *, headers: dict[str, str] | None = None) -> Reply:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
        ctype = response.getheader("Content-Type", "")
        data = json.loads(raw) if "json" in ctype and raw else {"raw": raw.decode(errors="replace")}
        return Reply(response.status, data, ctype)
    finally:
        conn.close()


def signed(body: bytes, *, secret: str = SECRET, **headers: str) -> dict[str, str]:
    return {"X-Zoho-Webhook-Signature": sign(body, secret), **headers}


def deliver(base_url: str, document: dict[str, Any], *, path: str = "/api/webhooks/zoho", secret: str = SECRET,
            **headers: str) -> Reply:
    body = json.dumps(document).encode()
    return post(base_url, path, body, headers=signed(body, secret=secret, **headers))


def item_doc(item_id: str, modified: str = "2025-11-18T02:02:51+0300", **fields: Any) -> dict[str, Any]:
    record = {"item_id": item_id, "name": f"Item {item_id}", "sku": f"SKU-{item_id}", "rate": 10.0,
              "status": "active", "last_modified_time": modified, **fields}
    return {"item": record}


class RecordingApply:
    """An apply function that records what it was given and can be told to fail."""

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.calls: list[tuple[str, str, list[str]]] = []
        self.fail_with = fail_with
        self.lock = threading.Lock()

    def __call__(self, *, entity: str, operation: str, source: str, items: list) -> None:
        with self.lock:
            self.calls.append((entity, source, [item.zoho_id for item in items]))
        if self.fail_with is not None:
            raise self.fail_with

    @property
    def applied_ids(self) -> list[str]:
        return [zoho_id for _e, _s, ids in self.calls for zoho_id in ids]


def audit_apply(*, entity: str, operation: str, source: str, items: list) -> None:
    """Writes one audit entry per applied item (inside the worker's transaction): a double apply shows up."""
    AuditEntry.objects.bulk_create([
        AuditEntry(entity=entity, zoho_id=item.zoho_id, action=AuditEntry.Action.UPDATE, field="queue_item",
                   new_value=item.id, source=source[:16], inbox_event_id=item.inbox_event_id)
        for item in items
    ])


def slow_audit_apply(*, entity: str, operation: str, source: str, items: list) -> None:
    """audit_apply that takes its time, so a test can kill the worker in the middle of a batch."""
    import time

    audit_apply(entity=entity, operation=operation, source=source, items=items)
    time.sleep(0.4)


def slow_real_apply(**kwargs: Any) -> None:
    """The sync engine's upsert, slowed down so a test can kill the worker mid-batch."""
    import time

    from sync.pipeline.workers import apply_items

    apply_items(**kwargs)
    time.sleep(0.4)
