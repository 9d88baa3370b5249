"""Manual triggers: each enqueues a run on the cluster (sync.jobs) and links to it."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from dashboard.common import page, staff_only, staff_post
from sync import jobs
from sync.entities import DERIVED, valid_names
from sync.ledger import REGISTERED
from sync.selectors.runs import runs_active


def labels() -> dict[str, str]:
    """kind -> label; what each kind runs, and under which entity, is sync.jobs.job_target's to say.
    Apps register their kinds with the ledger (the Odoo push, offered only when ODOO_URL is set)."""
    return {**{d.name: d.label for d in DERIVED.values()}, "compare": "Compare",
            **{k.name: k.label for k in REGISTERED.values()}}


@staff_only
def triggers(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/triggers.html", {"entities": valid_names(), "active": runs_active(),
                                                      "odoo": bool(settings.ODOO_URL)},
                fragment="dashboard/_active_runs.html")


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("1", "on", "true", "yes")


def _link(run_id: str) -> str:
    return reverse("dashboard:run", args=[run_id])


@staff_post
def trigger(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    dry_run = _flag(request, "dry_run")
    back = request.POST.get("next") or reverse("dashboard:triggers")
    if not back.startswith("/tds-admin/"):
        back = reverse("dashboard:triggers")
    try:
        if kind == "pull":
            entity = request.POST.get("entity", "")
            if entity not in valid_names():
                messages.error(request, f"Unknown entity {entity!r}.")
                return redirect(back)
            full = request.POST.get("mode") == "full"
            label = f"{'Full' if full else 'Incremental'} pull of {entity}"
            job = jobs.job_start(kind="pull", options={"entity": entity, "full": full, "dry_run": dry_run},
                                 trigger="manual")
        elif kind == "odoo" and not settings.ODOO_URL:
            messages.error(request, "Odoo is not configured: set ODOO_URL.")
            return redirect(back)
        elif kind in labels():
            label = labels()[kind]
            options: dict = {"dry_run": dry_run}
            if kind == "compare":
                options.update(deep=_flag(request, "deep"), carry_out=_flag(request, "sync"))
                label = ("Carrying out recommendations" if options["carry_out"] else
                         "Deep compare" if options["deep"] else "Compare")
            job = jobs.job_start(kind=kind, options=options, trigger="manual")
        else:
            messages.error(request, f"Unknown trigger {kind!r}.")
            return redirect(back)
    except jobs.RunActive as exc:
        messages.warning(request, format_html('Already running: <a href="{}">{}</a>. Not started again '
                                              '(its page can cancel it).',
                                              _link(str(exc.run.pk)), exc))
        return redirect(back)
    messages.success(request, format_html('{}{} queued: <a href="{}">run {}</a>.', label,
                                          " (dry run)" if dry_run else "", _link(job.run_id), job.run_id[:8]))
    return redirect(back)
