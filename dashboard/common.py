"""What every dashboard view shares: staff-only access, fragment rendering for htmx, confirmations."""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.views.decorators.http import require_POST

DASHBOARD_PREFIX = "/tds-admin/"


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff only. A whole page sends others to the login page; an htmx request (a live box refreshing
    after the session ended) gets ``HX-Redirect`` to the login page instead, so the browser leaves the
    page rather than drawing the login form inside the box, and comes back to the page after login."""
    guarded = staff_member_required(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if request.headers.get("HX-Request") == "true" and not (user.is_active and user.is_staff):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = login_url_for(request)
            return response
        return guarded(request, *args, **kwargs)

    return wrapper


def login_url_for(request: HttpRequest) -> str:
    """The admin login page with ``next`` = the page the browser shows (htmx names it in HX-Current-URL),
    or the requested path without its fragment query when that is missing or not one of ours."""
    shown = urlsplit(request.headers.get("HX-Current-URL", ""))
    if shown.path.startswith(DASHBOARD_PREFIX) and (not shown.netloc or shown.netloc == request.get_host()):
        back = shown.path + (f"?{shown.query}" if shown.query else "")
    else:
        query = request.GET.copy()
        query.pop("fragment", None)
        back = request.path + (f"?{query.urlencode()}" if query else "")
    return f"{resolve_url('admin:login')}?{urlencode({REDIRECT_FIELD_NAME: back})}"


def staff_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff-only action: POST only (CSRF-checked by the middleware)."""
    return staff_only(require_POST(view))


def pairs(mapping: Mapping[Any, Any] | None) -> list[tuple[Any, Any]]:
    """A dict as (key, value) pairs for a template. A template's ``d.items`` reads the key "items" when the
    dict has one (an entity is called items), so no template iterates a dict: views hand it pairs."""
    return list((mapping or {}).items())


def pairs_all(value: Any, keys: Iterable[str]) -> Any:
    """``value`` (a dict) with each of ``keys`` turned into pairs."""
    return {**value, **{key: pairs(value.get(key)) for key in keys}}


def page(request: HttpRequest, template: str, context: dict[str, Any], *, fragment: str | None = None) -> HttpResponse:
    """The whole page, or only its live fragment when htmx (or ?fragment=1) asks for it."""
    wants_fragment = request.headers.get("HX-Request") == "true" or request.GET.get("fragment") == "1"
    if fragment and wants_fragment:
        return render(request, fragment, context)
    return render(request, template, {**context, "fragment_template": fragment})


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


def confirm_page(request: HttpRequest, *, question: str, back: str, back_url: str = "") -> HttpResponse:
    """Ask before doing: the same POST again with confirm=yes (works without JavaScript). "No" goes to
    ``back_url`` when given (a page with arguments), else to the page named ``back``."""
    skip = ("csrfmiddlewaretoken", "confirm")
    fields = [(k, v) for k in request.POST if k not in skip for v in request.POST.getlist(k)]
    return render(request, "dashboard/confirm.html", {"question": question, "fields": fields, "back": back,
                                                      "back_url": back_url, "action": request.path})
