"""Queue monitor: the counts, the items themselves (filtered, one page each), and the lease reaper."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import confirm_page, confirmed, page, pairs_all, staff_only, staff_post
from dashboard.forms import ItemFilterForm
from sync.selectors.items import QUEUE_LIST_STATUSES, queue_item_detail, queue_items_list
from sync.selectors.pages import queue_page
from sync.tasks import reap_leases


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET, kind="status", values=[str(s) for s in QUEUE_LIST_STATUSES])
    filters = form.filters()
    return page(request, "dashboard/queue.html", {
        "q": pairs_all(queue_page(), ("by_status", "pending_by_priority")), "items": queue_items_list(filters),
        "filters": filters, "query": urlencode({k: v for k, v in filters.items() if v}),
        "choices": form.choices(),
        "problems": form.problems()}, fragment="dashboard/_queue.html")


@staff_only
def queue_item(request: HttpRequest, item_id: int) -> HttpResponse:
    detail = queue_item_detail(item_id)
    if detail is None:
        raise Http404("no such queue item")
    return page(request, "dashboard/queue_item.html", detail)


@staff_post
def queue_reap(request: HttpRequest) -> HttpResponse:
    if not confirmed(request):
        return confirm_page(request, question="Return items past their lease to the queue, and fail runs that "
                            "stopped or that no worker picked up?", back="dashboard:queue")
    result = reap_leases()  # the same reaper the "tds: lease reaper" schedule runs
    messages.success(request, f"Returned {result['returned']} item(s) past their lease to the queue; "
                     f"{result['dead']} moved to dead letters; failed {result['runs_failed']} run(s) whose "
                     f"process stopped and {result['runs_unclaimed']} queued run(s) no worker picked up.")
    return redirect("dashboard:queue")
