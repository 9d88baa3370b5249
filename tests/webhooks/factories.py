"""Inbox events and queue items for queue tests (the same rows the webhook view writes)."""
from __future__ import annotations

import json

from sync.entities import webhook_vocabulary
from sync.pipeline.inbox import inbox_store
from zoho.webhooks import parse_zoho_time

body_key_for, id_field_for = webhook_vocabulary().body_key_for, webhook_vocabulary().id_field_for


def store_event(entity: str, zoho_id: str, modified: str = "2025-11-18T02:02:51+0300", **fields: object) -> int:
    record = {id_field_for(entity): zoho_id, "last_modified_time": modified, **fields}
    body = json.dumps({body_key_for(entity): record})
    stored = inbox_store(source="webhook", entity=entity, zoho_id=zoho_id, payload_json=body,
                         dedupe_key=f"test:{entity}:{zoho_id}:{modified}:{sorted(fields.items())}",
                         last_modified=parse_zoho_time(modified), signature_method="hmac")
    assert stored.event_id is not None
    return stored.event_id
