"""The dashboard's one way to show a time: ``{{ value|when }}`` → "2026-12-04 22:55:03 UTC" in the
site's time zone, its zone named; an ISO 8601 string is read first; nothing is "–"."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()
FORMAT = "%Y-%m-%d %H:%M:%S %Z"


@register.filter
def when(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return "–"
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value).strftime(FORMAT)


@register.filter(name="pairs")
def pairs_filter(value: Any) -> list[tuple[Any, Any]]:
    """``{% for k, v in d|pairs %}``: a dict's pairs, never its key "items" (see dashboard.common.pairs)."""
    from dashboard.common import pairs

    return pairs(value)
