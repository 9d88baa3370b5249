"""Overview: the page an operator keeps open."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from dashboard.common import page, staff_only
from sync.selectors.pages import overview_page


@staff_only
def overview(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/overview.html", {"o": overview_page()},
                fragment="dashboard/_overview.html")
