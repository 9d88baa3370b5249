"""Queue monitor, with the lease reaper as a button."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import confirm_page, confirmed, page, staff_only, staff_post
from sync.pipeline.workers import reap_leases
from sync.selectors.pages import queue_page


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/queue.html", {"q": queue_page()}, fragment="dashboard/_queue.html")


@staff_post
def queue_reap(request: HttpRequest) -> HttpResponse:
    if not confirmed(request):
        return confirm_page(request, question="Return items past their lease to the queue?", back="dashboard:queue")
    result = reap_leases()
    messages.success(request, f"Returned {result['returned']} item(s) past their lease to the queue; "
                     f"{result['dead']} moved to dead letters.")
    return redirect("dashboard:queue")
