"""Sync history and one run with its log."""
from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse

from dashboard.common import page, staff_only
from dashboard.forms import HistoryFilterForm
from sync.selectors.pages import RUN_FILTERS, run_filter_choices, runs_filtered
from sync.selectors.runs import run_detail


@staff_only
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET, seen=run_filter_choices())
    filters = form.filters()
    query = urlencode({k: v for k, v in filters.items() if v})
    choices = [(name, form.values[name], filters[name]) for name in RUN_FILTERS]
    return page(request, "dashboard/history.html",
                {"runs": runs_filtered(filters=filters), "choices": choices, "query": query,
                 "problems": form.problems()},
                fragment="dashboard/_history.html")


@staff_only
def run(request: HttpRequest, run_id: str) -> HttpResponse:
    detail = run_detail(run_id=str(run_id))
    if detail is None:
        raise Http404("no such run")
    return page(request, "dashboard/run.html", {"run": detail}, fragment="dashboard/_run.html")


@staff_only
def run_log(request: HttpRequest, run_id: str) -> HttpResponse:
    """The run's log lines as a text file."""
    detail = run_detail(run_id=str(run_id), log_limit=100_000)
    if detail is None:
        raise Http404("no such run")
    head = [f"run {detail['id']} {detail['run_type']} {detail['entity']} {detail['status']} "
            f"correlation_id={detail['correlation_id'] or '-'}"]
    lines = head + [f"{line['created_at']} {line['level']} {line['entity']} {line['zoho_id']} {line['message']}"
                    for line in detail["logs"]]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="run-{detail["id"]}.log"'
    return response
