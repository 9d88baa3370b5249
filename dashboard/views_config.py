"""The run-time configuration: every tunable shown as JSON, saved or reset by those who may.

Values are shown and read back as JSON (``json.dumps`` into the template's escaped input), so a
value saved unchanged round-trips. A staff user who may not change a tunable sees it read-only;
a POST anyway gets a message and changes nothing. Checks and the audit entry are the service's
(``sync.config``).
"""
from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import page, staff_only, staff_post
from sync.config import TUNABLES, config_get, config_items, config_reset, config_set
from sync.config.access import OPERATORS_GROUP, config_access_require, config_changeable
from sync.tunables import named

MAX_VALUE_CHARS = 2000  # the longest valid value (every entity's priority) is a few hundred characters


@staff_only
def configuration(request: HttpRequest) -> HttpResponse:
    changeable = config_changeable(request.user)
    items = [{**item, "shown": as_json(item["value"]), "default_shown": as_json(item["default"]),
              "may_change": item["key"] in changeable} for item in config_items()]
    return page(request, "dashboard/configuration.html", {
        "items": items, "read_only": sum(not i["may_change"] for i in items), "operators_group": OPERATORS_GROUP})


@staff_post
def configuration_set(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    try:
        if key in TUNABLES:  # who may, before what: a reader is told so whatever the value
            config_access_require(request.user, key)
        value = config_set(key, _parse(request.POST.get("value", "")), by=request.user, source="dashboard")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal(key, exc))
    else:
        messages.success(request, f"{key} set to {as_json(value)}.")
    return redirect("dashboard:configuration")


@staff_post
def configuration_reset(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("key", "")
    try:
        removed = config_reset(key, by=request.user, source="dashboard")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal(key, exc, verb="reset"))
    else:
        now = as_json(config_get(key))
        messages.success(request, f"{key} reset: the environment's value {now} applies again." if removed else
                         f"{key} already has the environment's value {now}.")
    return redirect("dashboard:configuration")


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _parse(raw: str) -> object:
    """Form text as JSON (numbers, true/false, objects); anything else stays text for the check to refuse."""
    raw = raw.strip()
    if len(raw) > MAX_VALUE_CHARS:
        raise ValidationError(f"the value is {len(raw)} characters long; at most {MAX_VALUE_CHARS}")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # nesting too deep for the decoder is refused like any other text
        return raw


def _refusal(key: str, exc: Exception, *, verb: str = "changed") -> str:
    if not isinstance(exc, ValidationError):
        return str(exc)  # ConfigAccessDenied: names the key and who may change it
    return f"{named(key)} not {verb}: {' '.join(exc.messages)}"
