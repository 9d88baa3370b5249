"""Zoho webhooks: signature check and payload parsing. No Django models here.

Zoho Books/Inventory webhooks are configured per workflow rule; with
``raw_data: "${JSONString}"`` the body is the record wrapped in its entity key,
``{"item": {...}}``, ``{"invoice": {...}}`` (reference/zoho-api.md §6.2), either
as JSON or form-encoded in a ``JSONString`` field. Authentication is either an
HMAC-SHA256 hex digest of the raw body in ``X-Zoho-Webhook-Signature`` keyed with
the webhook secret, or a shared token sent as a custom header or query parameter
(Zoho's KB: "custom parameters like Auth Token"). The secret never appears in a
message or a log line.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

SIGNATURE_HEADER = "X-Zoho-Webhook-Signature"
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BodyKey:
    """What a top-level key of a webhook body means: the entity its record belongs to and the
    record's id field; ``split`` (field, {value: entity}) picks another entity by a record field."""

    entity: str
    id_field: str
    split: tuple[str, dict[str, str]] | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The body keys and routes a deployment accepts; the caller owns the entity names.

    ``routes``: route -> the entities it accepts (the first is the default when the body carries
    the bare record instead of an entity key). ``reads``: entity -> the entity whose records it
    carries (a route accepting the former turns records of the latter into it).
    """

    body_keys: dict[str, BodyKey]
    routes: dict[str, tuple[str, ...]]
    reads: dict[str, str] = field(default_factory=dict)

    def id_field_for(self, entity: str) -> str:
        return self.body_keys[self.body_key_for(entity)].id_field

    def body_key_for(self, entity: str) -> str:
        """The body key Zoho uses for an entity (for building deliveries)."""
        source = self.reads.get(entity, entity)
        for key, meaning in self.body_keys.items():
            if meaning.entity == source:
                return key
        raise KeyError(entity)


class WebhookError(Exception):
    """A delivery TDS refuses; `status` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


@dataclass(frozen=True)
class WebhookEvent:
    entity: str
    zoho_id: str
    record: dict[str, Any]
    body: dict[str, Any]
    last_modified: datetime | None = None
    last_modified_raw: str = ""
    event_type: str = ""
    event_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- authentication -----------------------------------------------------------


def sign(body: bytes, secret: str) -> str:
    """The hex HMAC-SHA256 Zoho sends for `body` (also used by the sandbox and tests)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, secret: str) -> bool:
    if not secret or not signature:
        return False
    expected = sign(body, secret).encode()
    # Bytes, not str: compare_digest refuses non-ASCII strings, and headers are caller-controlled.
    return hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace"))


def verify_token(supplied: str | None, secret: str) -> bool:
    if not secret or not supplied:
        return False
    return hmac.compare_digest(supplied.encode("utf-8", "replace"), secret.encode())


# --- parsing --------------------------------------------------------------------


def decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The JSON object a delivery carries, from a JSON or a form-encoded body."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookError("Body is not valid UTF-8.") from exc
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        text = _json_string_field(text)
    if "\\u0000" in text:
        raise WebhookError("Body contains a NUL character (\\u0000), which cannot be stored.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WebhookError(f"Body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from exc
    except (ValueError, RecursionError) as exc:  # numbers too long, nesting too deep
        raise WebhookError(f"Body is not usable JSON: {type(exc).__name__}.") from exc
    if not isinstance(data, dict):
        raise WebhookError("Body must be a JSON object.")
    return data


def _json_string_field(text: str) -> str:
    fields = parse_qs(text, keep_blank_values=True)
    values = fields.get("JSONString")
    if not values:
        raise WebhookError("Form-encoded body has no JSONString field.")
    return values[0]


def parse_event(data: dict[str, Any], *, vocabulary: Vocabulary, route: str | None = None,
                event_type: str = "") -> WebhookEvent:
    """Find the entity, record, Zoho id and last-modified time of a delivery (422 if unusable)."""
    entity, record, id_field = _entity_and_record(data, route, vocabulary)
    zoho_id = record.get(id_field)
    if isinstance(zoho_id, int) and not isinstance(zoho_id, bool):
        zoho_id = str(zoho_id)
    if not isinstance(zoho_id, str) or not zoho_id.strip() or len(zoho_id) > 64:
        raise WebhookError(f"The {entity} record has no usable {id_field}.", status=422)
    raw_lmt = record.get("last_modified_time") or ""
    if not isinstance(raw_lmt, str):
        raise WebhookError("last_modified_time must be a string.", status=422)
    return WebhookEvent(
        entity=entity, zoho_id=zoho_id.strip(), record=record, body=data,
        last_modified=parse_zoho_time(raw_lmt), last_modified_raw=raw_lmt,
        event_type=str(event_type or data.get("event_type") or "")[:64],
        event_id=str(data.get("event_id") or "")[:100],
    )


def _entity_and_record(data: dict[str, Any], route: str | None,
                       vocabulary: Vocabulary) -> tuple[str, dict[str, Any], str]:
    routes, body_keys = vocabulary.routes, vocabulary.body_keys
    allowed = routes.get(route) if route else None
    if route and allowed is None:
        raise WebhookError(f"Unknown webhook entity {route!r}; valid: {', '.join(routes)}.", status=422)
    for key, value in data.items():
        if key in body_keys:
            meaning = body_keys[key]
            entity = _split_entity(meaning, value)
            for carrier in allowed or ():
                if vocabulary.reads.get(carrier) == entity:
                    entity = carrier
            if allowed and entity not in allowed:
                raise WebhookError(f"A {key!r} record cannot be sent to the {route!r} webhook.", status=422)
            return entity, _as_record(value, key), meaning.id_field
    if allowed:
        return allowed[0], _as_record(data, allowed[0]), vocabulary.id_field_for(allowed[0])
    raise WebhookError("Unknown entity: the body has none of the keys " + ", ".join(body_keys) + ".", status=422)


def _as_record(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WebhookError(f"The {key!r} value must be a JSON object.", status=422)
    return value


def _split_entity(meaning: BodyKey, value: Any) -> str:
    if meaning.split is None:
        return meaning.entity
    split_field, entities = meaning.split
    chosen = value.get(split_field) if isinstance(value, dict) else None
    return entities.get(chosen, meaning.entity) if isinstance(chosen, str) else meaning.entity


def parse_zoho_time(value: str) -> datetime | None:
    """'2025-11-18T02:02:51+0300' (Zoho's form) or any ISO 8601 time; None when empty or unreadable."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def dedupe_key(event: WebhookEvent, body: bytes) -> str:
    """Zoho's event id when present; otherwise entity + id + last_modified_time + body digest."""
    if event.event_id:
        return f"event:{event.event_id}"
    digest = hashlib.sha256(body).hexdigest()
    composite = f"{event.entity}\x1f{event.zoho_id}\x1f{event.last_modified_raw}\x1f{digest}"
    return "sha256:" + hashlib.sha256(composite.encode()).hexdigest()
