"""Workers: every cluster and worker process from its heartbeat, and the pause switches."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import page, staff_only, staff_post
from sync.pause import pause_set, pause_states
from sync.selectors.workers import processes


@staff_only
def workers(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/workers.html", {"p": processes(), "pauses": pause_states()},
                fragment="dashboard/_workers.html")


@staff_post
def pause(request: HttpRequest) -> HttpResponse:
    """Pause or resume the queue drain or the schedules (``name``, ``paused`` 1 or 0)."""
    name, paused = request.POST.get("name", ""), request.POST.get("paused") == "1"
    back = request.POST.get("next", "")
    back = back if back in ("overview", "workers") else "workers"
    try:
        switch = pause_set(name, paused=paused, by=request.user.get_username())
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        label = switch.get_name_display()
        messages.success(request, f"{label} paused: nothing new starts until it is resumed." if paused
                         else f"{label} resumed.")
    return redirect(f"dashboard:{back}")
