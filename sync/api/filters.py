"""Filters and pagination for GET /api/tds/sync-runs (every filter has an index on tds_sync_runs)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from sync.api.inputs import entity_choices
from sync.entities import UnknownEntity, canonical
from sync.models import SyncRun
from sync.selectors.runs import runs_matching


class EntityFormField(forms.CharField):
    """One of the registry's names or aliases, exactly as the schema's enum lists them."""

    def clean(self, value: object) -> str:
        text = str(super().clean(value) or "")
        if not text:
            return text
        if text not in entity_choices():
            # As a parameter: the caller's text may hold a '%' that Django would try to format.
            try:
                reason = f"unknown entity {canonical(text)!r}; write it as one of {', '.join(entity_choices())}"
            except UnknownEntity as exc:
                reason = str(exc)
            raise forms.ValidationError("%(reason)s", params={"reason": reason})
        return canonical(text)


class EntityFilter(django_filters.ChoiceFilter):
    """A choice filter for the schema's enum, cleaned by EntityFormField (a canonical name, aliases taken)."""

    field_class = EntityFormField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, choices=[(name, name) for name in entity_choices()], **kwargs)

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            self._field = EntityFormField(required=False, label=self.label, help_text=self.extra.get("help_text"))
        return self._field


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

    def is_valid(self) -> bool:
        # A filter given blank (?status=) is refused, not taken for "no filter": the caller meant something.
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and str(self.data.get(name)).strip() == "":
                self.form.add_error(name, "may not be blank; leave the parameter out instead")
                valid = False
        return valid

    def filter_queryset(self, queryset: QuerySet[SyncRun]) -> QuerySet[SyncRun]:
        """The parameters, once valid, go to the dashboard history's filter (sync.selectors.runs)."""
        given = self.form.cleaned_data
        return runs_matching(queryset, entity=given.get("entity_type") or "", run_type=given.get("run_type") or "",
                             status=given.get("status") or "", trigger=given.get("trigger") or "",
                             created_after=given.get("created_after"), created_before=given.get("created_before"))


class RunCursorPagination(CursorPagination):
    """Newest first, by cursor: no count(*) however long the history."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:  # DRF hook
        """page_size as documented: 1-200 or a 400 naming it (DRF would quietly use the default or cap it)."""
        given = request.query_params.get(self.page_size_query_param)
        if given is None:
            return self.page_size
        message = f"must be an integer between 1 and {self.max_page_size}"
        try:
            size = int(given) if given.strip().isdigit() else 0
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:  # DRF hook
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size,
                                       "default": self.page_size}
        return parameters

    def decode_cursor(self, request):  # DRF hook
        """DRF checks the cursor's encoding and offset; its position goes straight into the query, so it
        must also be what this ordering writes there (a run's created_at), or the cursor is refused.

        A cursor is opaque: one this API did not hand out names no page, so it is a 404 (as DRF answers),
        naming the parameter. Only what no cursor can be, blank or with a NUL byte, is a malformed
        parameter (400), as the schema says (minLength 1, no NUL)."""
        given = request.query_params.get(self.cursor_query_param, None)
        if given is not None and (given == "" or "\x00" in given):
            raise ValidationError({self.cursor_query_param: ["invalid cursor; use the next/previous links"]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise self._no_page() from exc
        if cursor is not None and cursor.position is not None and _stamp(cursor.position) is None:
            raise self._no_page()
        return cursor

    def _no_page(self) -> NotFound:
        return NotFound(f"{self.cursor_query_param}: no page at this cursor; use the next/previous links")


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
