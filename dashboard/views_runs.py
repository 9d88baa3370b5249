"""Sync history and one run with its log; cancel a pending or running run, retry one that did not finish well."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from dashboard.common import DASHBOARD_PREFIX, confirm_page, confirmed, page, staff_only, staff_post
from dashboard.forms import HistoryFilterForm
from sync.ledger import KINDS, RunActive, RunStateError, run_cancel, run_retry
from sync.models import COMPARE_TYPES, RunStatus, SyncRun
from sync.selectors.pages import RUN_FILTERS, run_filter_choices, runs_filtered
from sync.selectors.runs import ACTIVE, run_detail, run_found

# What the dashboard offers: Cancel while a run waits or runs; Retry when it ended without doing all
# it was asked (a completed run is started again from the triggers, a deferred one resumes by itself).
RETRYABLE = (RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.PARTIAL)


def controls(run: dict[str, Any]) -> dict[str, bool]:
    """Which of Cancel and Retry a run (a run_row) offers."""
    return {"can_cancel": run["status"] in ACTIVE,
            "can_retry": run["status"] in RETRYABLE and run["run_type"] in KINDS}


@staff_only
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET, seen=run_filter_choices())
    filters = form.filters()
    query = urlencode({k: v for k, v in filters.items() if v})
    choices = [(name, form.values[name], filters[name]) for name in RUN_FILTERS]
    runs = [{**r, **controls(r)} for r in runs_filtered(filters=filters)]
    back = reverse("dashboard:history") + (f"?{query}" if query else "")
    return page(request, "dashboard/history.html",
                {"runs": runs, "choices": choices, "query": query, "back": back, "problems": form.problems()},
                fragment="dashboard/_history.html")


@staff_only
def run(request: HttpRequest, run_id: str) -> HttpResponse:
    detail = run_detail(run_id=str(run_id))
    if detail is None:
        raise Http404("no such run")
    summary = detail["summary"] if isinstance(detail["summary"], dict) else {}
    stop = summary.get("cancel_requested") if detail["status"] == RunStatus.RUNNING else None
    # A compare that carried out its recommendations: the pulls it ran, each on its own row.
    compare = detail["run_type"] in COMPARE_TYPES
    actions = [a for a in summary.get("actions") or [] if isinstance(a, dict)] if compare else []
    return page(request, "dashboard/run.html",
                {"run": {**detail, **controls(detail), "stop": stop if isinstance(stop, dict) else None,
                         "actions": actions},
                 "back": reverse("dashboard:run", args=[detail["id"]])},
                fragment="dashboard/_run.html")


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


def _back(request: HttpRequest, run_id: str) -> str:
    """Where the button was pressed (the run page or the history list as filtered), else the run page."""
    back = request.POST.get("next", "")
    return back if back.startswith(DASHBOARD_PREFIX) else reverse("dashboard:run", args=[run_id])


def _name(run: SyncRun) -> str:
    of = f" of {run.entity}" if run.entity and run.entity != run.run_type else ""
    return f"run {str(run.pk)[:8]} ({run.run_type}{of})"


def _link(run_id: str, text: str) -> str:
    return format_html('<a href="{}">{}</a>', reverse("dashboard:run", args=[run_id]), text)


@staff_post
def cancel(request: HttpRequest, run_id: str) -> HttpResponse:
    """Cancel a pending run (its task skips it, and its trigger can be pressed again) or ask a running
    one to stop at its next batch boundary."""
    run_id = str(run_id)
    back = _back(request, run_id)
    found = run_found(run_id)
    if found is None:
        messages.error(request, f"No run {run_id}: nothing to cancel.")
        return redirect(back)
    if found.status not in ACTIVE:
        messages.error(request, f"The {_name(found)} is {found.status}: only a pending or running run can be "
                                f"cancelled.")
        return redirect(back)
    if not confirmed(request):
        what = ("it will not start" if found.status == RunStatus.PENDING
                else "it stops at its next batch and keeps what it has stored")
        return confirm_page(request, question=f"Cancel the {found.status} {_name(found)}? {what[0].upper()}{what[1:]}.",
                            back="dashboard:history", back_url=back)
    try:
        status = run_cancel(run_id, by=request.user.get_username())
    except RunStateError as exc:  # it finished between the question and the answer
        messages.error(request, f"Not cancelled: {exc}.")
        return redirect(back)
    if status == RunStatus.CANCELLED:
        messages.success(request, format_html("Cancelled {} before it started: it will not run, and its trigger "
                                              "can be pressed again.", _link(run_id, _name(found))))
    else:
        messages.success(request, format_html("Asked {} to stop: it stops at its next batch and is then "
                                              "recorded as cancelled.", _link(run_id, _name(found))))
    return redirect(back)


@staff_post
def retry(request: HttpRequest, run_id: str) -> HttpResponse:
    """Queue a new run of the same type, entity and parameters as a failed, cancelled or partial run."""
    run_id = str(run_id)
    back = _back(request, run_id)
    found = run_found(run_id)
    if found is None:
        messages.error(request, f"No run {run_id}: nothing to retry.")
        return redirect(back)
    if found.status not in RETRYABLE:
        messages.error(request, f"The {_name(found)} is {found.status}: only a failed, cancelled or partial run "
                                f"can be retried.")
        return redirect(back)
    if found.run_type not in KINDS:
        messages.error(request, f"The {_name(found)} is not started on request: it runs again by itself.")
        return redirect(back)
    if not confirmed(request):
        return confirm_page(request, question=f"Retry the {found.status} {_name(found)} with the same parameters?",
                            back="dashboard:history", back_url=back)
    try:
        job = run_retry(run_id)
    except RunActive as exc:
        messages.warning(request, format_html("Already running: {}. Not retried; cancel it first or wait for it.",
                                              _link(str(exc.run.pk), str(exc))))
        return redirect(back)
    except RunStateError as exc:
        messages.error(request, f"Not retried: {exc}.")
        return redirect(back)
    messages.success(request, format_html("Retry of {} queued: {}.", _name(found), _link(job.run_id,
                                                                                        f"run {job.run_id[:8]}")))
    return redirect(back)
