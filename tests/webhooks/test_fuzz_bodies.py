"""Signed webhook deliveries with hostile bodies, on every route: never a 500, always JSON, and a
refusal is one log line, never a traceback.

Bodies start from records the Zoho sandbox generates (every field Zoho sends, nested lines included)
and have the fields each entity's mapper reads (found by recording what it reads, so a new field is
fuzzed without touching this file) replaced by hostile values. Every delivery is signed, so it gets
past the signature check to the parsing, validation and storage behind it.
"""
from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.entities import get_spec, spec_for, webhook_vocabulary
from tests.fuzzing import NASTY_NUMBERS, NASTY_TEXT, assert_answer, dumps, hostile_json, hostile_text, tracebacks
from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.generate import generate
from zoho.webhooks import sign

pytestmark = pytest.mark.django_db
SECRET = "sandbox-webhook-secret"
VOCABULARY = webhook_vocabulary()
ROUTES = ["/api/webhooks/zoho", "/api/tds/webhooks/test",
          *(f"/api/tds/webhooks/{route}" for route in sorted(VOCABULARY.routes))]
CORPUS: list[Any] = [*NASTY_TEXT, *NASTY_NUMBERS, None, [], {}, [[[]]], {"a": {"b": 1}}, float("nan"), float("inf")]


class _Reads(dict):
    """A record that notes which fields are read from it."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


@cache
def mapped_fields(body_key: str) -> tuple[str, ...]:
    """The record fields the entity's mapper and line mapper read."""
    spec = get_spec(spec_for(VOCABULARY.body_keys[body_key].entity).reads)
    record = _Reads()
    spec.mapper(record)
    if spec.lines is not None:
        spec.lines.mapper(record)
    return tuple(sorted(record.read))


@cache
def templates() -> dict[str, dict[str, Any]]:
    """One sandbox record per body key (aliases share their entity's), internal fields left out."""
    data, _, _ = generate(SandboxConfig(items=3, seed=7))
    out = {}
    for key, meaning in VOCABULARY.body_keys.items():
        named = (data.get(key + "s") or data.get(VOCABULARY.body_key_for(meaning.entity) + "s")
                 or next(rows for rows in data.values() if rows and meaning.id_field in rows[0]))
        out[key] = {k: v for k, v in named[0].items() if not k.startswith("_")}
    return out


def _lines(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for value in record.values() if isinstance(value, list) for line in value if isinstance(line, dict)]


def deliver(client: Any, route: str, body: bytes, *, form: bool = False, event: str = "") -> Any:
    if form:
        body = urlencode({"JSONString": body.decode("utf-8", "surrogatepass")}).encode()
    headers = {"HTTP_X_ZOHO_WEBHOOK_SIGNATURE": sign(body, SECRET)}
    if event:
        headers["HTTP_X_ZOHO_EVENT"] = event
    content_type = "application/x-www-form-urlencoded" if form else "application/json"
    return client.generic("POST", route, body, content_type=content_type, **headers)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A sandbox record under its body key (or bare), its mapped fields and line fields made hostile."""
    key = draw(st.sampled_from(sorted(VOCABULARY.body_keys)))
    record = copy.deepcopy(templates()[key])
    fields = list(mapped_fields(key)) or ["x"]
    record.update(draw(st.dictionaries(st.sampled_from(fields), hostile_json, max_size=6)))
    for line in _lines(record)[:2]:
        line.update(draw(st.dictionaries(st.sampled_from(sorted(line) or ["x"]), hostile_json, max_size=4)))
    shape = draw(st.sampled_from(["keyed", "keyed", "bare", "anything"]))
    document = {key: record} if shape == "keyed" else record if shape == "bare" else draw(hostile_json)
    return dumps(document)


@pytest.mark.parametrize("route", ROUTES)
def test_signed_hostile_deliveries_get_a_json_answer_below_500(route, client, settings, crash_log) -> None:
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    client.raise_request_exception = False

    @given(body=bodies(), form=st.booleans(), event=st.sampled_from(["", "delete", "item.updated"]),
           entity=st.none() | st.sampled_from(sorted(VOCABULARY.routes)) | hostile_text)
    def fuzz(body: bytes, form: bool, event: str, entity: str | None) -> None:
        url = f"{route}?{urlencode({'entity': entity})}" if entity is not None and route.endswith("/test") else route
        response = deliver(client, url, body, form=form, event=event)
        assert_answer(response, where=route)

    fuzz()
    assert tracebacks(crash_log) == []


@pytest.mark.parametrize("body_key", sorted({VOCABULARY.body_key_for(m.entity) for m in VOCABULARY.body_keys.values()}))
def test_every_known_bad_value_in_every_mapped_field(body_key, client, settings, crash_log) -> None:
    """The corpus, value by value, in every field the mapper reads and every field of the lines (the id
    kept valid, so the value reaches the checks behind it), to the delivery route and the test route."""
    settings.TDS_WEBHOOK_KICK_SECONDS = 0
    client.raise_request_exception = False
    id_field = VOCABULARY.id_field_for(VOCABULARY.body_keys[body_key].entity)
    for value in CORPUS:
        record = copy.deepcopy(templates()[body_key])
        record.update({name: value for name in mapped_fields(body_key) if name != id_field})
        for line in _lines(record):
            line.update({name: value for name in line if not name.endswith("_id")})
        body = dumps({body_key: record})
        for route in ("/api/webhooks/zoho", "/api/tds/webhooks/test"):
            response = deliver(client, route, body)
            assert_answer(response, where=f"{route} {body_key} {json.dumps(value)[:40]}")
    assert tracebacks(crash_log) == []
