"""Zoho record ids and the URL paths built from them.

Zoho's ids are decimal numbers sent as strings (15 to 19 digits in practice,
e.g. "4815000000044895"; the organization id is shorter, e.g. "10234695").
Anything else arriving as an id is refused before it reaches a URL or a typed column.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from zoho.errors import ZohoPermanentError

ZOHO_ID_MAX_DIGITS = 25  # generous over the 19 seen; bounded so a hostile id cannot be arbitrarily long
_ZOHO_ID = re.compile(rf"[0-9]{{1,{ZOHO_ID_MAX_DIGITS}}}")


def is_zoho_id(value: object) -> bool:
    """True for a Zoho id: a string (or int) of 1..25 ASCII digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        value = str(value)
    return isinstance(value, str) and _ZOHO_ID.fullmatch(value) is not None


def zoho_id_problem(field: str, value: object) -> str:
    """Why `value` cannot be the Zoho id in `field` ("" when it can): the same words on every path."""
    if value is None or value == "":
        return f"no {field}"
    if is_zoho_id(value.strip() if isinstance(value, str) else value):
        return ""
    shown = repr(value[:40]) if isinstance(value, str) else f"a JSON {json_kind(value)}"
    return f"{field} {shown} is not a Zoho id (1 to {ZOHO_ID_MAX_DIGITS} decimal digits)"


def json_kind(value: object) -> str:
    """The JSON name of a parsed value's type, for messages about values of the wrong type."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "string" if isinstance(value, str) else type(value).__name__


def path_quote(path: str) -> str:
    """`/items/1/image` with every segment percent-encoded; `.`/`..`/empty segments are refused.

    `?`, `#` and `%` in a segment then stay in that segment, and no segment can
    climb out of the API's base path.
    """
    if not path.startswith("/"):
        raise ZohoPermanentError(f"Zoho path must start with '/': {path[:80]!r}")
    segments = path[1:].split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise ZohoPermanentError(f"Zoho path has an empty or dot segment: {path[:80]!r}")
    return "/" + "/".join(quote(segment, safe="") for segment in segments)
