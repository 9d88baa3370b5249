"""Metrics charts and the API budget; image coverage."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from dashboard.common import page, pairs_all, staff_only
from dashboard.templatetags.tds import FORMAT
from sync.budget.today import budget_today
from sync.images.plan import image_coverage
from sync.selectors.charts import DEFAULT_RANGE, RANGES, charts_for
from sync.selectors.pages import image_failures, image_sample


@staff_only
def metrics(request: HttpRequest) -> HttpResponse:
    span = request.GET.get("range", DEFAULT_RANGE)
    span = span if span in RANGES else DEFAULT_RANGE
    charts = [{**chart, "numbers": _numbers(chart["points"])} for chart in charts_for(span=span)]
    return page(request, "dashboard/metrics.html", {"charts": charts, "span": span,
                                                     "ranges": list(RANGES),
                                                     "budget": pairs_all(budget_today(), ("by_entity", "by_trigger"))})


def _numbers(points: list[dict[str, Any]]) -> SafeString:
    """A chart's points as table rows, built here in one pass: a week of hourly points for seven charts
    is over a thousand rows, and rendering each cell through the template (a filter, localisation,
    escaping per cell) took most of the page. Times as the `when` filter shows them, in the zone
    looked up once."""
    zone = timezone.get_current_timezone()
    return format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (datetime.fromisoformat(p["at"]).astimezone(zone).strftime(FORMAT), p["value"],
         "" if p["mean"] is None else p["mean"]) for p in points))


@staff_only
def images(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/images.html", {"coverage": image_coverage(), "failures": image_failures(),
                                                    "sample": image_sample()})
