"""The admin of tds_configuration: the same schema, permissions and audit as the dashboard.

The form offers only declared tunables the user may change and validates the value with the
tunable's schema and checks (``Configuration.clean``); saving and deleting go through
``config_set`` and ``config_reset``, so every change is checked against the user and audited.
A row of a tunable the user may not change is read-only for them.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from sync.config import TUNABLES, config_reset, config_set
from sync.config.access import config_may_change
from sync.models import Configuration


class ConfigurationForm(forms.ModelForm):
    user: Any = None  # set per request by ConfigurationAdmin.get_form

    class Meta:
        model = Configuration
        fields = ("key", "value", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            self.fields["key"] = forms.ChoiceField(choices=[
                (key, key) for key in TUNABLES if self.user is None or config_may_change(self.user, key)])


@admin.register(Configuration)
class ConfigurationAdmin(admin.ModelAdmin):
    form = ConfigurationForm
    list_display = ("key", "value", "updated_at")
    search_fields = ("key", "description")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("ConfigurationFormFor", (form,), {"user": request.user})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("key",) if obj is not None else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or config_may_change(request.user, obj.key))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or config_may_change(request.user, obj.key))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        config_set(obj.key, obj.value, description=obj.description, by=request.user, source="admin")
        saved = Configuration.objects.get(key=obj.key)
        obj.pk, obj.value = saved.pk, saved.value

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._reset(request, obj.key)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for key in queryset.values_list("key", flat=True):
            self._reset(request, key)

    def _reset(self, request: HttpRequest, key: str) -> None:
        try:
            config_reset(key, by=request.user, source="admin")
        except ValidationError as exc:
            messages.error(request, f"{key} not reset: {' '.join(exc.messages)}")
        except PermissionDenied as exc:  # a bulk delete names rows of every key
            messages.error(request, str(exc))
