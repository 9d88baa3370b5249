"""Compare and health, alerts, configuration."""
from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import page, staff_only, staff_post
from sync.alerts.evaluate import alert_acknowledge, alert_resolve
from sync.config import config_items, config_set
from sync.selectors.pages import alerts_by_status, compare_last_report, health_history


@staff_only
def compare(request: HttpRequest) -> HttpResponse:
    history = health_history(days=30)
    chart = {"x": [int(p["at"].timestamp()) for p in history],
             "series": {"health score": [p["score"] for p in history]}}
    return page(request, "dashboard/compare.html", {"report": compare_last_report(), "history": history,
                                                     "chart": chart})


@staff_only
def alerts(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/alerts.html", {"groups": alerts_by_status()}, fragment="dashboard/_alerts.html")


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


@staff_only
def configuration(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/configuration.html", {"items": config_items()})


@staff_post
def configuration_set(request: HttpRequest) -> HttpResponse:
    key, raw = request.POST.get("key", ""), request.POST.get("value", "").strip()
    try:
        value = config_set(key, _parse(raw))
    except ValidationError as exc:
        messages.error(request, f"{key} not changed: {' '.join(exc.messages)}")
    else:
        messages.success(request, f"{key} set to {value}.")
    return redirect("dashboard:configuration")


def _parse(raw: str) -> object:
    """Form text as JSON (numbers, true/false, objects); anything else stays text for the check to refuse
    (nesting too deep for the decoder included)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return raw
