"""The site's routes and, first, /bench/bare: a Django view that reads nothing and answers a fixed JSON
body through the same middleware, server and workers. What it reaches is the ceiling of the API reads."""
from django.http import HttpRequest, JsonResponse
from django.urls import path

from tds_site.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the site's error pages
from tds_site.urls import urlpatterns as site


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/bare", bare), *site]
