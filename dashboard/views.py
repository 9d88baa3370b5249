"""Overview: the page an operator keeps open."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from dashboard.common import page, pairs, staff_only
from sync.selectors.pages import overview_page


@staff_only
def overview(request: HttpRequest) -> HttpResponse:
    o = overview_page()
    return page(request, "dashboard/overview.html", {"o": {**o, "checks": pairs(o["checks"])}},
                fragment="dashboard/_overview.html")
