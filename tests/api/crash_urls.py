"""A URLconf for the last-line-of-defence tests: the project's routes behind views that fail on purpose."""
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import include, path


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail that must stay in the log")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for you")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("odd request")


def html_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseBadRequest("<h1>Bad Request</h1>")


urlpatterns = [
    *(path(f"{prefix}crash", crash) for prefix in ("api/test/", "elsewhere/")),
    path("api/test/forbidden", forbidden),
    path("api/test/suspicious", suspicious),
    path("api/test/html-error", html_error),
    path("", include("tds_site.urls")),
]
handler400 = "sync.api.exceptions.api_bad_request"
handler403 = "sync.api.exceptions.api_forbidden"
handler404 = "sync.api.exceptions.api_not_found"
handler500 = "sync.api.exceptions.server_error"
