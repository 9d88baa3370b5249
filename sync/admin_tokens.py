"""The admin's API tokens (django-rest-knox): listed and issued without ever showing a stored key.

knox's own admin lists the digest and, on creation, puts the key into a flash message (kept in a
cookie or the session until the next page). This one lists the user, the key's first characters,
created, expiry and whether it expired; a new key is rendered once on the page that answers the
creation and kept nowhere. Tokens cannot be edited: revoke (delete) and issue a new one.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from knox import admin as knox_admin  # noqa: F401 - registers knox's admin first, replaced below
from knox.models import AuthToken

from sync.api import tokens


class TokenCreateForm(forms.ModelForm):
    expiry = forms.DateTimeField(help_text="The key stops working then (default: TDS_API_TOKEN_DAYS from now).")

    class Meta:
        model = AuthToken
        fields = ("user", "expiry")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expiry"].initial = lambda: timezone.now() + tokens.token_lifetime()

    def clean_expiry(self) -> Any:
        expiry = self.cleaned_data["expiry"]
        if expiry <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expiry

    def save(self, commit: bool = True) -> AuthToken:
        """The row, made at once by knox's manager (whatever ``commit``): only it can hash a new key."""
        token, key = tokens.token_create(user=self.cleaned_data["user"])
        token.expiry = self.cleaned_data["expiry"]
        token.save(update_fields=["expiry"])
        token.new_key = key  # for response_add; never stored
        return token

    def save_m2m(self) -> None:
        """No many-to-many fields (the admin calls this after save_model)."""


if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "prefix", "created", "expiry", "expired")
    list_select_related = ("user",)
    list_filter = ("expiry",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    readonly_fields = ("user", "prefix", "created", "expiry", "expired")
    fields = readonly_fields

    @admin.display(description="key starts")
    def prefix(self, token: AuthToken) -> str:
        return tokens.token_prefix(token)

    @admin.display(boolean=True)
    def expired(self, token: AuthToken) -> bool:
        return tokens.token_expired(token)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TokenCreateForm
            kwargs["fields"] = TokenCreateForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj is not None else TokenCreateForm.Meta.fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AuthToken, form: Any, change: bool) -> None:
        """Nothing left to save: the form made the row."""

    def response_add(self, request: HttpRequest, obj: AuthToken, post_url_continue: Any = None) -> HttpResponse:
        return TemplateResponse(request, "admin/knox/token_created.html", {
            **self.admin_site.each_context(request), "title": "API token created", "token": obj,
            "key": getattr(obj, "new_key", ""), "opts": self.opts,
            "changelist_url": reverse("admin:knox_authtoken_changelist")})
