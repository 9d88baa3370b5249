"""Metrics charts and the API budget; image coverage."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from dashboard.common import page, pairs_all, staff_only
from sync.budget.today import budget_today
from sync.images.plan import image_coverage
from sync.selectors.charts import DEFAULT_RANGE, RANGES, charts_for
from sync.selectors.pages import image_failures, image_sample


@staff_only
def metrics(request: HttpRequest) -> HttpResponse:
    span = request.GET.get("range", DEFAULT_RANGE)
    span = span if span in RANGES else DEFAULT_RANGE
    return page(request, "dashboard/metrics.html", {"charts": charts_for(span=span), "span": span,
                                                     "ranges": list(RANGES),
                                                     "budget": pairs_all(budget_today(), ("by_entity", "by_trigger"))})


@staff_only
def images(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/images.html", {"coverage": image_coverage(), "failures": image_failures(),
                                                    "sample": image_sample()})
