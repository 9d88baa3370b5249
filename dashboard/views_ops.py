"""Compare and health, alerts."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import page, pairs, staff_only, staff_post
from dashboard.compare_report import compare_rows
from sync.alerts.evaluate import alert_acknowledge, alert_resolve
from sync.selectors.pages import alerts_by_status, compare_last_report, health_history, notice_failure


@staff_only
def compare(request: HttpRequest) -> HttpResponse:
    history = health_history(days=30)
    chart = {"x": [int(p["at"].timestamp()) for p in history],
             "series": {"health score": [p["score"] for p in history]}}
    report = compare_last_report()
    return page(request, "dashboard/compare.html", {"report": report, "shown": compare_rows(report) if report else None,
                                                     "history": history, "chart": chart})


@staff_only
def alerts(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/alerts.html",
                {"groups": pairs(alerts_by_status()), "notice_failure": notice_failure()},
                fragment="dashboard/_alerts.html")


@staff_post
def alert_action(request: HttpRequest, alert_id: int) -> HttpResponse:
    action = request.POST.get("action")
    try:
        if action == "ack":
            alert = alert_acknowledge(alert_id=alert_id)
            messages.success(request, f"Acknowledged alert {alert.code}: no more reminders.")
        elif action == "resolve":
            alert = alert_resolve(alert_id=alert_id)
            messages.success(request, f"Resolved alert {alert.code}.")
        else:
            messages.error(request, f"Unknown alert action {action!r}.")
    except ObjectDoesNotExist:
        messages.error(request, f"No alert {alert_id}.")
    return redirect("dashboard:alerts")
