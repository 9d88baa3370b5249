"""The OpenAPI schema view, and the entries for the webhook endpoints.

The schema is offered as a download named after the API's title, which has an em dash: an HTTP
header is Latin-1, so drf-spectacular's ``filename="TDS — ..."`` reached clients as mojibake. The
name is sent as RFC 6266 says: an ASCII ``filename`` and the exact UTF-8 ``filename*``.


The webhook views are plain Django views (see sync.api.webhooks for why), so
drf-spectacular cannot discover them; this postprocessing hook describes them
in /api/schema/ from the same constants the views use, so the published
contract (and any fuzzing driven by it) covers the real-time path too.
"""
from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from sync.entities import webhook_vocabulary
from zoho import webhooks as zw
from zoho.ids import ZOHO_ID_MAX_DIGITS

_ERROR = {"type": "object", "properties": {"status": {"type": "string", "enum": ["error"]},
                                           "message": {"type": "string"}}, "required": ["status", "message"]}
_ACCEPTED = {"type": "object", "properties": {
    "status": {"type": "string", "enum": ["accepted", "duplicate"]}, "event_id": {"type": "integer"}},
    "required": ["status"]}
_TEST_RESULT = {"type": "object", "properties": {
    "status": {"type": "string", "enum": ["ok"]}, "authenticated_by": {"type": "string"},
    "entity": {"type": "string"}, "zoho_id": {"type": "string"}, "last_modified_time": {"type": "string"},
    "dedupe_key": {"type": "string"}, "priority": {"type": "integer", "nullable": True},
    "stored": {"type": "boolean"}}}


def _record(id_field: str) -> dict[str, Any]:
    return {"type": "object", "required": [id_field], "additionalProperties": True,
            "description": "the Zoho record; the fields TDS maps are checked against the columns they fill (422)",
            "properties": {id_field: {"oneOf": [  # Zoho sends a string of digits; a JSON number is read as one
                {"type": "string", "pattern": f"^[0-9]{{1,{ZOHO_ID_MAX_DIGITS}}}$"},
                {"type": "integer", "minimum": 0, "maximum": 10**ZOHO_ID_MAX_DIGITS - 1}]}}}


def _body(keys: list[str]) -> dict[str, Any]:
    """One record under one of ``keys``; JSON only (Zoho's form posts with a JSONString field are taken
    too, and not advertised: one body under two content types breaks generated clients)."""
    body_keys = webhook_vocabulary().body_keys
    # Other top-level keys are ignored; a second record key makes two branches match, which oneOf refuses (422).
    branches = [{"type": "object", "required": [key], "additionalProperties": True, "properties": {
        key: _record(body_keys[key].id_field),
        # Any JSON value: what is kept is its text, cut to the column.
        "event_type": {"description": "Zoho's event type, e.g. item_updated (the X-Zoho-Event header wins)"},
        "event_id": {"description": "Zoho's event id: a redelivery with the same id is a duplicate"}}}
        for key in keys]
    return {"required": True, "content": {"application/json": {"schema": {
        "description": f"Zoho's webhook body: one record under its entity key, one of {', '.join(keys)} "
                       "(a form post with the same document in JSONString is taken too).",
        "oneOf": branches}}}}


def _route_keys(route: str | None) -> list[str]:
    """The body keys a route takes (all of them without a route), found by asking the parser itself."""
    vocabulary = webhook_vocabulary()
    keys = []
    for key, meaning in vocabulary.body_keys.items():
        try:
            zw.parse_event({key: {meaning.id_field: "1"}}, vocabulary=vocabulary, route=route)
        except zw.WebhookError:
            continue
        keys.append(key)
    return keys


def _errors(*codes: int) -> dict[str, Any]:
    why = {400: "malformed body", 401: "missing or bad signature/token; nothing stored",
           413: f"body over {zw.MAX_BODY_BYTES} bytes", 422: "unknown entity or record without an id",
           503: "database unavailable; deliver again"}
    return {str(code): {"description": why[code], "content": {"application/json": {"schema": _ERROR}}}
            for code in codes}


def _auth_parameters() -> list[dict[str, Any]]:
    from django.conf import settings

    return [
        {"name": zw.SIGNATURE_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
         "description": "hex HMAC-SHA256 of the raw body with ZOHO_WEBHOOK_SECRET (ZOHO_WEBHOOK_AUTH=hmac)"},
        {"name": settings.ZOHO_WEBHOOK_TOKEN_HEADER, "in": "header", "required": False,
         "schema": {"type": "string"}, "description": "shared token (ZOHO_WEBHOOK_AUTH=token)"},
        {"name": settings.ZOHO_WEBHOOK_TOKEN_PARAM, "in": "query", "required": False,
         "schema": {"type": "string"}, "description": "shared token as a query parameter (ZOHO_WEBHOOK_AUTH=token)"},
    ]


def _delivery(summary: str, operation_id: str, keys: list[str], description: str = "") -> dict[str, Any]:
    return {"post": {
        "operationId": operation_id, "summary": summary, "description": description, "tags": ["webhooks"],
        "security": [{}], "parameters": _auth_parameters(), "requestBody": _body(keys),
        "responses": {"200": {"description": "stored (accepted) or a redelivery (duplicate)",
                              "content": {"application/json": {"schema": _ACCEPTED}}},
                      **_errors(400, 401, 413, 422, 503)}}}


def add_webhook_paths(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """The webhook routes: one path per entity route (each takes its own body keys, so the schema says
    exactly which bodies each one accepts), the catch-all and the test route."""
    paths = result.setdefault("paths", {})
    paths["/api/webhooks/zoho"] = _delivery(
        "Receive a Zoho webhook; the entity comes from the body's key", "webhook_zoho", _route_keys(None))
    for route in sorted(webhook_vocabulary().routes):
        paths[f"/api/tds/webhooks/{route}"] = _delivery(
            f"Receive a Zoho webhook for {route}", f"webhook_{route}", _route_keys(route))
    test = _delivery("Check a delivery (signature, body, entity) without storing it", "webhook_test",
                     _route_keys(None), description="Answers what a real delivery would store. "
                     "?entity=<route> checks it as /api/tds/webhooks/<route> would (a body key that route "
                     "does not take is a 422).")
    test["post"]["responses"]["200"] = {"description": "what a real delivery would store",
                                        "content": {"application/json": {"schema": _TEST_RESULT}}}
    test["post"]["responses"].pop("503")
    paths["/api/tds/webhooks/test"] = test
    return result


def strict_query_strings(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """A free-text query parameter is at least one character without a NUL byte: the views refuse a blank one
    (?run_type=) with the 400 naming it, rather than take it for an absent one, and the schema says so."""
    for path, operations in result.get("paths", {}).items():
        if "/webhooks/" in path:
            continue  # their one query parameter is a credential, checked (401) only when token auth is on
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)
                    schema.setdefault("pattern", "^[^\\u0000]*$")  # a NUL byte is refused (400) before any query
    return result


def content_disposition(filename: str) -> str:
    """``inline`` with an ASCII fallback name and the exact name in UTF-8 (RFC 6266, RFC 5987)."""
    plain = unicodedata.normalize("NFKD", filename.replace("\u2014", "-").replace("\u2013", "-"))
    plain = "".join(c for c in plain.encode("ascii", "ignore").decode() if c.isprintable() and c not in '"\\')
    return f"inline; filename=\"{plain}\"; filename*=utf-8''{quote(filename, safe='')}"


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request: Request) -> Response:
        response = super()._get_schema_response(request)
        version = self.api_version or request.version or self._get_version_parameter(request)
        response["Content-Disposition"] = content_disposition(self._get_filename(request, version))
        return response
