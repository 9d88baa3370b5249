"""Overview: the page an operator keeps open."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from dashboard.common import page, pairs, staff_only
from sync.entities import DERIVED
from sync.selectors.pages import overview_page


def _freshness(rows: list[dict[str, Any]], active_runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each freshness row with what its "Sync now" queues (the trigger kind: a pull, or the derived
    name's own run) and the run of that entity already under way, if the overview lists one."""
    active = {r["entity"]: r for r in reversed(active_runs)}  # the newest wins
    return [{**row, "kind": row["entity"] if row["entity"] in DERIVED else "pull",
             "active": active.get(row["entity"])} for row in rows]


# label -> the selector's per-minute count; the order gives the colours (applied blue, errors red, written green)
LAST_HOUR_SERIES = {"items applied": "applied", "errors": "errors", "records written by runs": "written"}


def _last_hour_chart(last_hour: dict[str, Any]) -> dict[str, Any]:
    minutes = last_hour["minutes"]
    return {"x": [int(m["at"].timestamp()) for m in minutes],
            "series": {label: [m[key] for m in minutes] for label, key in LAST_HOUR_SERIES.items()}}


def _busy_minutes(last_hour: dict[str, Any]) -> SafeString:
    """Table rows of the minutes that saw work or errors, newest first. Joined here rather than looped
    in the template: the overview redraws them every 5 s, and 60 rows of 7 cells in the template
    language cost more than the rest of the fragment's figures."""
    keys = ("applied", "written", "errors", "failed_attempts", "dead_letters", "failed_runs")
    busy = [m for m in reversed(last_hour["minutes"]) if m["applied"] or m["written"] or m["errors"]]
    cells = ((localtime(m["at"]).strftime("%H:%M"), *(m[k] for k in keys)) for m in busy)
    return format_html_join("\n", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                                  "<td>{}</td><td>{}</td><td>{}</td></tr>", cells)


@staff_only
def overview(request: HttpRequest) -> HttpResponse:
    o = overview_page()
    return page(request, "dashboard/overview.html",
                {"o": {**o, "checks": pairs(o["checks"]), "freshness": _freshness(o["freshness"], o["active_runs"]),
                       "last_hour_chart": _last_hour_chart(o["last_hour"]),
                       "busy_minutes": _busy_minutes(o["last_hour"])}},
                fragment="dashboard/_overview.html")
