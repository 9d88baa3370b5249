"""JSON errors for the TDS API: never an HTML page, never a traceback.

DRF's own handler answers its exceptions (401, 403, 404, 405, validation) as
JSON; anything else it leaves to Django, which renders an HTML 500. This
handler turns those into a JSON 500 with a short reference the logs carry.
Views of this package use it through ``JsonErrorsMixin``; the lead may set it
project-wide as REST_FRAMEWORK["EXCEPTION_HANDLER"] = "sync.api.exceptions.json_exception_handler".
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("tds.api")


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, dict) and "detail" in response.data and "message" not in response.data:
            response.data = {"status": "error", "message": str(response.data["detail"]), **response.data}
        return response
    if isinstance(exc, Http404):
        return Response({"status": "error", "message": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    reference = uuid.uuid4().hex[:12]
    logger.exception("unhandled API error (ref %s)", reference)
    return Response({"status": "error", "message": "Internal error; the server log has the details.",
                     "reference": reference}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


class JsonErrorsMixin:
    """Use json_exception_handler for this view whatever the project setting is."""

    def get_exception_handler(self):  # noqa: ANN201 - DRF hook
        return json_exception_handler
