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
from sync.models import RunType
from sync.selectors.runs import runs_active


# kind -> (entity the run is held under, run type, label); pulls take the entity from the form,
# each derived name (stock, images) is a kind of its own, as the registry describes it, and so is
# each kind an app registered with the ledger (the Odoo push, offered only when ODOO_URL is set).
def fixed() -> dict[str, tuple[str, str, str]]:
    return {**{d.name: (d.name, d.run_type, d.label) for d in DERIVED.values()},
            "compare": ("", "compare", "Compare"),
            **{k.name: (k.entity, k.run_type, k.label) for k in REGISTERED.values()}}


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
            job = jobs.job_enqueue(kind="pull", entity=entity, run_type=RunType.FULL if full else RunType.INCREMENTAL,
                                   options={"entity": entity, "full": full, "dry_run": dry_run}, trigger="manual")
        elif kind == "odoo" and not settings.ODOO_URL:
            messages.error(request, "Odoo is not configured: set ODOO_URL.")
            return redirect(back)
        elif kind in fixed():
            entity, run_type, label = fixed()[kind]
            options: dict = {"dry_run": dry_run}
            if kind == "compare":
                options.update(deep=_flag(request, "deep"), carry_out=_flag(request, "sync"))
                label = ("Carrying out recommendations" if options["carry_out"] else
                         "Deep compare" if options["deep"] else "Compare")
                run_type = RunType.COMPARE_SYNC if options["carry_out"] else RunType.COMPARE
            job = jobs.job_enqueue(kind=kind, entity=entity, run_type=run_type, options=options, trigger="manual")
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
