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
_BODY = {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "additionalProperties": True,
                                    "description": "Zoho's webhook body: one record under its entity key, "
                                                   f"one of {', '.join(sorted(webhook_vocabulary().body_keys))}."}},
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "JSONString": {"type": "string", "description": "the same JSON document, form-encoded"}}}}}}


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


def _delivery(summary: str, operation_id: str, extra_params: list[dict[str, Any]]) -> dict[str, Any]:
    return {"post": {
        "operationId": operation_id, "summary": summary, "tags": ["webhooks"], "security": [{}],
        "parameters": [*extra_params, *_auth_parameters()], "requestBody": _BODY,
        "responses": {"200": {"description": "stored (accepted) or a redelivery (duplicate)",
                              "content": {"application/json": {"schema": _ACCEPTED}}},
                      **_errors(400, 401, 413, 422, 503)}}}


def add_webhook_paths(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    entity = {"name": "entity", "in": "path", "required": True,
              "schema": {"type": "string", "enum": sorted(webhook_vocabulary().routes)}}
    paths = result.setdefault("paths", {})
    paths["/api/webhooks/zoho"] = _delivery(
        "Receive a Zoho webhook; the entity comes from the body's key", "webhook_zoho", [])
    paths["/api/tds/webhooks/{entity}"] = _delivery(
        "Receive a Zoho webhook for one entity family", "webhook_entity", [entity])
    paths["/api/tds/webhooks/{entity}"]["post"]["responses"]["404"] = {
        "description": "no webhook route for that entity", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}}}
    test = _delivery("Check a delivery (signature, body, entity) without storing it", "webhook_test",
                     [{"name": "entity", "in": "query", "required": False, "schema": {"type": "string"}}])
    test["post"]["responses"]["200"] = {"description": "what a real delivery would store",
                                        "content": {"application/json": {"schema": _TEST_RESULT}}}
    test["post"]["responses"].pop("503")
    paths["/api/tds/webhooks/test"] = test
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
