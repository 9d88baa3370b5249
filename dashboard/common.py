"""What every dashboard view shares: staff-only access, fragment rendering for htmx, confirmations."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

staff_only = staff_member_required


def staff_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff-only action: POST only (CSRF-checked by the middleware)."""
    return staff_member_required(require_POST(view))


def page(request: HttpRequest, template: str, context: dict[str, Any], *, fragment: str | None = None) -> HttpResponse:
    """The whole page, or only its live fragment when htmx (or ?fragment=1) asks for it."""
    wants_fragment = request.headers.get("HX-Request") == "true" or request.GET.get("fragment") == "1"
    if fragment and wants_fragment:
        return render(request, fragment, context)
    return render(request, template, {**context, "fragment_template": fragment})


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


def confirm_page(request: HttpRequest, *, question: str, back: str) -> HttpResponse:
    """Ask before doing: the same POST again with confirm=yes (works without JavaScript)."""
    skip = ("csrfmiddlewaretoken", "confirm")
    fields = [(k, v) for k in request.POST if k not in skip for v in request.POST.getlist(k)]
    return render(request, "dashboard/confirm.html", {"question": question, "fields": fields, "back": back,
                                                      "action": request.path})
