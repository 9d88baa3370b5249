"""Zoho webhooks: signature check and payload parsing. No Django models here.

Zoho Books/Inventory webhooks are configured per workflow rule; with
``raw_data: "${JSONString}"`` the body is the record wrapped in its entity key,
``{"item": {...}}``, ``{"invoice": {...}}``, either
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
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from zoho.ids import json_kind, zoho_id_problem
from zoho.times import ZohoTimeError, zoho_time_read

SIGNATURE_HEADER = "X-Zoho-Webhook-Signature"
MAX_BODY_BYTES = 1024 * 1024
# A number Zoho sends (amounts, quantities, ids as numbers) never needs more digits than this;
# longer ones cannot be stored faithfully in a typed column.
MAX_NUMBER_DIGITS = 30
# Zoho's documents nest a handful of levels (invoice > line_items > taxes); nothing it sends comes
# near this. Deeper bodies are refused before anything walks them recursively.
MAX_JSON_DEPTH = 32
# Timestamps outside [EARLIEST, now + FUTURE_SKEW] are refused: older ones predate Zoho, later
# ones would block every real edit behind the stale-version guard.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SKEW = timedelta(minutes=5)
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


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
    """The JSON object a delivery carries, from a JSON or a form-encoded body.

    Refused (400) with the reason: what is not UTF-8 or JSON, and what JSON allows but no
    database column or JSON document store can hold: NaN and Infinity, numbers beyond
    MAX_NUMBER_DIGITS or a float's range, NUL characters and lone UTF-16 surrogates.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookError("Body is not valid UTF-8.") from exc
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        text = _json_string_field(text)
    if "\\u0000" in text:
        raise WebhookError("Body contains a NUL character (\\u0000), which cannot be stored.")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_bounded_float,
                          parse_int=_bounded_int)
    except WebhookError:
        raise
    except json.JSONDecodeError as exc:
        raise WebhookError(f"Body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from exc
    except RecursionError as exc:  # the decoder's own stack guard, far beyond MAX_JSON_DEPTH
        raise WebhookError(TOO_DEEP) from exc
    except ValueError as exc:  # an integer longer than Python converts
        raise WebhookError(f"Body is not usable JSON: {exc}.") from exc
    if not isinstance(data, dict):
        raise WebhookError("Body must be a JSON object.")
    # No walk when the body cannot nest that deep: it does not hold that many opening brackets.
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH and too_deep(data):
        raise WebhookError(TOO_DEEP)
    if _SURROGATE.search(text) and _has_lone_surrogate(data):
        raise WebhookError("Body contains a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text.")
    return data


TOO_DEEP = f"Body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep."


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _refuse_constant(name: str) -> Any:
    raise WebhookError(f"Body contains {name}, which is not a number any Zoho field can hold.")


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise WebhookError(f"Body contains a number of {len(literal)} digits (at most {MAX_NUMBER_DIGITS}).")
    return int(literal)


def _bounded_float(literal: str) -> float:
    digits = len(literal.split("e")[0].split("E")[0].replace("-", "").replace(".", ""))
    value = float(literal)
    if not math.isfinite(value) or digits > MAX_NUMBER_DIGITS:
        raise WebhookError(f"Body contains the number {literal[:40]}, which is out of range.")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_string_field(text: str) -> str:
    fields = parse_qs(text, keep_blank_values=True)
    values = fields.get("JSONString")
    if not values:
        raise WebhookError("Form-encoded body has no JSONString field.")
    return values[0]


def parse_event(data: dict[str, Any], *, vocabulary: Vocabulary, route: str | None = None,
                event_type: str = "", now: datetime | None = None) -> WebhookEvent:
    """Find the entity, record, Zoho id and last-modified time of a delivery (422 if unusable).

    The id must be a Zoho id (it ends up in URL paths and in keyed columns); a readable
    last_modified_time must lie in the window EARLIEST .. now + FUTURE_SKEW. An unreadable or
    missing one makes an undated event, which never replaces a dated record.
    """
    entity, record, id_field = _entity_and_record(data, route, vocabulary)
    zoho_id = record.get(id_field)
    problem = zoho_id_problem(id_field, zoho_id)
    if problem:
        raise WebhookError(f"The {entity} record cannot be stored: {problem}.", status=422)
    zoho_id = str(zoho_id)
    raw_lmt = record.get("last_modified_time") or ""
    if not isinstance(raw_lmt, str):  # the words of sync.upsert.validate, which reads the record later
        raise WebhookError(f"The {entity} record cannot be stored: last_modified_time: a JSON "
                           f"{json_kind(raw_lmt)} is not a timestamp.", status=422)
    return WebhookEvent(
        entity=entity, zoho_id=zoho_id.strip(), record=record, body=data,
        last_modified=_in_window(parse_zoho_time(raw_lmt), raw_lmt, now or datetime.now(UTC)),
        last_modified_raw=raw_lmt,
        event_type=str(event_type or data.get("event_type") or "")[:64],
        event_id=str(data.get("event_id") or "")[:100],
    )


def _in_window(stamp: datetime | None, raw: str, now: datetime) -> datetime | None:
    if stamp is None:
        return None
    if stamp < EARLIEST or stamp > now + FUTURE_SKEW:
        raise WebhookError(f"last_modified_time {raw[:40]!r} is outside {EARLIEST:%Y-%m-%d} .. now "
                           f"+ {int(FUTURE_SKEW.total_seconds() // 60)} minutes.", status=422)
    return stamp


def _entity_and_record(data: dict[str, Any], route: str | None,
                       vocabulary: Vocabulary) -> tuple[str, dict[str, Any], str]:
    routes, body_keys = vocabulary.routes, vocabulary.body_keys
    allowed = routes.get(route) if route else None
    if route and allowed is None:
        raise WebhookError(f"Unknown webhook entity {route!r}; valid: {', '.join(routes)}.", status=422)
    present = [key for key in data if key in body_keys]
    if len(present) > 1:
        raise WebhookError(f"The body carries records of several entities ({', '.join(present)}); "
                           "a delivery carries one.", status=422)
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
    """The time of a Zoho timestamp (zoho.times reads every shape); None when empty or unreadable."""
    if not value:
        return None
    try:
        return zoho_time_read(value)
    except ZohoTimeError:
        return None


def dedupe_key(event: WebhookEvent, body: bytes) -> str:
    """Zoho's event id when present; otherwise event type + entity + id + last_modified_time + body digest.

    The event type is part of the key, so a delete whose body equals an earlier update's is
    a new event, while a redelivery of either is still a duplicate.
    """
    if event.event_id:
        return f"event:{event.event_id}"
    digest = hashlib.sha256(body).hexdigest()
    composite = (f"{event.event_type.lower()}\x1f{event.entity}\x1f{event.zoho_id}\x1f"
                 f"{event.last_modified_raw}\x1f{digest}")
    return "sha256:" + hashlib.sha256(composite.encode()).hexdigest()
