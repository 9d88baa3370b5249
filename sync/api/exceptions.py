"""JSON errors for the TDS API: never an HTML page, never a traceback.

Every error under /api/ is ``{"error": <code>, "message": <text>}`` (plus ``status: "error"``
and, where useful, ``fields`` for validation errors or ``retry_after`` for 429) with the right
HTTP status. DRF views get it from ``json_exception_handler`` (REST_FRAMEWORK's
EXCEPTION_HANDLER, and ``JsonErrorsMixin`` whatever the setting); paths no view matches and
crashes outside DRF get it from ``api_not_found`` / ``server_error`` (tds_site.urls' handler404
and handler500, which keep Django's HTML pages outside /api/).
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("tds.api")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, "status": "error", **extra}


def _validation_message(detail: Any) -> tuple[str, dict[str, Any]]:
    """'name: problem; other: problem' naming each parameter, and the field map."""
    if isinstance(detail, dict):
        parts = []
        for name, problems in detail.items():
            text = " ".join(str(p) for p in problems) if isinstance(problems, list) else str(problems)
            parts.append(text if name == "non_field_errors" else f"{name}: {text}")
        return "; ".join(parts), detail
    if isinstance(detail, list):
        return " ".join(str(p) for p in detail), {}
    return str(detail), {}


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, SuspiciousOperation):
        # Django refuses the request body (too many fields, too big) while DRF parses it.
        too_big = isinstance(exc, RequestDataTooBig)
        return Response(error_body("too_large" if too_big else "bad_request", str(exc)),
                        status=413 if too_big else 400)
    response = exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, exceptions.ValidationError):
            message, fields = _validation_message(exc.detail)
            response.data = error_body("invalid", message, fields=fields)
        elif isinstance(exc, exceptions.APIException):
            code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
            extra = {"retry_after": exc.wait} if isinstance(exc, exceptions.Throttled) and exc.wait else {}
            response.data = error_body(str(code), str(exc.detail), **extra)
        elif isinstance(exc, Http404):
            response.data = error_body("not_found", "Not found.")
        return response
    reference = uuid.uuid4().hex[:12]
    logger.exception("unhandled API error (ref %s)", reference)
    return Response(error_body("server_error", "Internal error; the server log has the details.",
                               reference=reference), status=status.HTTP_500_INTERNAL_SERVER_ERROR)


class JsonErrorsMixin:
    """Use json_exception_handler for this view whatever the project setting is."""

    def get_exception_handler(self):  # noqa: ANN201 - DRF hook
        return json_exception_handler


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", f"No endpoint at {request.path}."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/ (no traceback), Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("server_error", "Internal error; the server log has the details."), status=500)
    return defaults.server_error(request)


@csrf_exempt  # a POST to an unknown path is a 404, not a CSRF page
def api_unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """The last /api/ route: an unknown path is a JSON 404 even with DEBUG on."""
    return api_not_found(request)
