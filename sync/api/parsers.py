"""The JSON parser of the DRF endpoints: DRF's own, with a bound on nesting.

DRF's JSONParser turns a ValueError into a 400 but lets a RecursionError through, so a body of
100,000 ``[`` was a 500. No endpoint here takes more than a flat object with a list in it; bodies
that nest beyond the limit webhook bodies have (zoho.webhooks.MAX_JSON_DEPTH) are refused as a
parse error (400) whether the decoder gives up on its own or the value comes back that deep.
"""
from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from zoho.webhooks import MAX_JSON_DEPTH, too_deep

TOO_DEEP = f"JSON parse error - arrays and objects nest more than {MAX_JSON_DEPTH} levels deep."


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if too_deep(data):
            raise ParseError(TOO_DEEP)
        return data
