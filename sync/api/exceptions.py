"""JSON errors for the TDS API: never an HTML page, never a traceback.

Every error under /api/ is ``{"error": <code>, "message": <text>}`` (plus ``status: "error"``
and, where useful, ``fields`` for validation errors or ``retry_after`` for 429) with the right
HTTP status. Three layers give it:

- DRF views: ``json_exception_handler`` (REST_FRAMEWORK's EXCEPTION_HANDLER, and
  ``JsonErrorsMixin`` whatever the setting).
- Django's handlers (tds_site.urls): ``api_not_found``, ``api_bad_request``, ``api_forbidden``,
  ``server_error`` answer JSON under /api/ and keep Django's HTML pages elsewhere.
- ``ApiErrorsMiddleware``, the last line of defence, outermost in MIDDLEWARE: an exception a
  plain view (the webhooks) did not expect becomes a JSON 500 with a reference that the one
  logged traceback carries, even with DEBUG on (Django's debug page would show the traceback);
  and any error answer under /api/ that is still not JSON (a debug page, a CSRF page, a
  middleware's refusal) is replaced by the JSON body for its status.

Expected refusals (404, 403, 400 for a malformed request) are logged as one line, without a
traceback; only the unexpected carries one.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
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
    # json_exception_handler for this view whatever the project setting is. A comment, not a docstring:
    # drf-spectacular would publish a docstring as the description of every operation of every view.

    def get_exception_handler(self):  # DRF hook
        return json_exception_handler


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", f"No endpoint at {request.path}."), status=404)
    return defaults.page_not_found(request, exception)


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: JSON under /api/ (a bad Host header, too many parameters ...), Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("bad_request", str(exception or "") or "Bad request."), status=400)
    return defaults.bad_request(request, exception or BadRequest())


def api_forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("forbidden", str(exception or "") or "Forbidden."), status=403)
    return defaults.permission_denied(request, exception or PermissionDenied())


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/ (no traceback), Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("server_error", "Internal error; the server log has the details."), status=500)
    return defaults.server_error(request)


# Status -> error code of the JSON body; any other status uses its reason phrase (415 -> unsupported_media_type).
STATUS_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 500: "server_error"}
# Headers of a replaced answer that still mean something to the caller.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def status_body(status: int, message: str | None = None) -> dict[str, Any]:
    """The JSON body for an HTTP status when nothing better is known."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    code = STATUS_CODES.get(status) or phrase.lower().replace(" ", "_").replace("-", "_")
    return error_body(code, message or f"{phrase}.")


def _refusal(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """The JSON answer for an exception Django treats as the caller's (4xx); Django's request log
    then has its one line ("Bad Request: /api/..."), without the traceback it would add."""
    if isinstance(exception, Http404):
        return api_not_found(request, exception)
    if isinstance(exception, PermissionDenied):
        response = api_forbidden(request, exception)
    elif isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError)):
        too_big = isinstance(exception, RequestDataTooBig)
        response = JsonResponse(error_body("too_large" if too_big else "bad_request", str(exception)),
                                status=413 if too_big else 400)
        if isinstance(exception, SuspiciousOperation):
            logging.getLogger(f"django.security.{type(exception).__name__}").warning("%s", exception)
    else:
        return None
    return response


class ApiErrorsMiddleware:
    """Under /api/: no exception escapes as a 500 page, no error answer leaves as anything but JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            return _as_json(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        refused = _refusal(request, exception)
        if refused is not None:
            return refused
        reference = uuid.uuid4().hex[:12]
        logger.error("unhandled API error on %s %s (ref %s)", request.method, request.path, reference,
                     exc_info=exception)
        return JsonResponse(error_body("server_error", "Internal error; the server log has the details.",
                                       reference=reference), status=500)


def _is_json(response: HttpResponse) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _as_json(response: HttpResponse) -> HttpResponse:
    replaced = JsonResponse(status_body(response.status_code), status=response.status_code)
    for header in KEPT_HEADERS:
        if header in response:
            replaced[header] = response[header]
    return replaced


@csrf_exempt  # a POST to an unknown path is a 404, not a CSRF page
def api_unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """The last /api/ route: an unknown path is a JSON 404 even with DEBUG on."""
    return api_not_found(request)
