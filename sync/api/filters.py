"""Filters and pagination for GET /api/tds/sync-runs (every filter has an index on tds_sync_runs)."""
from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.utils.dateparse import parse_datetime
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from sync.entities import UnknownEntity, canonical
from sync.models import SyncRun


class EntityFormField(forms.CharField):
    def clean(self, value: object) -> str:
        text = str(super().clean(value) or "")
        if not text:
            return text
        try:
            return canonical(text)
        except UnknownEntity as exc:
            # As a parameter: the caller's text may hold a '%' that Django would try to format.
            raise forms.ValidationError("%(reason)s", params={"reason": str(exc)}) from exc


class EntityFilter(django_filters.CharFilter):
    field_class = EntityFormField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time that can be compared in UTC: 0001-01-01T00:00:00+14:00 is a valid ISO time
    before year 1 in UTC, which the database adapter cannot convert (a 500 on SQLite)."""

    def to_python(self, value: object) -> datetime | None:
        stamp = super().to_python(value)
        if stamp is not None and _in_utc(stamp) is None:
            raise forms.ValidationError("%(value)s cannot be expressed in UTC", params={"value": stamp.isoformat()})
        return stamp


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class SyncRunFilter(django_filters.FilterSet):
    entity_type = EntityFilter(field_name="entity", help_text="entity name or alias (items, products, customers, ...)")
    run_type = django_filters.CharFilter(
        help_text="full, incremental, stock, images, compare, compare_sync, queue, odoo")
    status = django_filters.ChoiceFilter(choices=SyncRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=SyncRun.Trigger.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                      help_text="ISO 8601; runs created at or after")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt",
                                       help_text="ISO 8601; runs created before")

    class Meta:
        model = SyncRun
        fields = ("entity_type", "run_type", "status", "trigger", "created_after", "created_before")


class RunCursorPagination(CursorPagination):
    """Newest first, by cursor: no count(*) however long the history."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):  # noqa: ANN001, ANN201 - DRF hook
        """DRF checks the cursor's encoding and offset; its position goes straight into the query, so it
        must also be what this ordering writes there (a run's created_at), or the cursor is refused."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:  # a malformed cursor is the caller's parameter error, not a missing page
            raise self._invalid() from exc
        if cursor is not None and cursor.position is not None and _stamp(cursor.position) is None:
            raise self._invalid()
        return cursor

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: ["invalid cursor; use the next/previous links"]})


def _stamp(text: str) -> datetime | None:
    """An aware time that can be compared in UTC (what str(created_at) gives), else None."""
    try:
        stamp = parse_datetime(text)
    except ValueError:
        return None
    return _in_utc(stamp) if stamp is not None and stamp.tzinfo is not None else None


def _in_utc(stamp: datetime) -> datetime | None:
    try:
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
