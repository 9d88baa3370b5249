"""A bare view at every path the web benchmarks use: it authenticates nothing, reads nothing, writes nothing.

It does read ``request.user`` so a logged-in caller costs what the session middleware costs on any page.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok": true, "user": %d}' % int(request.user.is_authenticated),
                        content_type="application/json")


urlpatterns = [re_path(r"^.*$", bare)]
