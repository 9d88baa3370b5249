"""Record search and the trace of one record: what the mirror holds, how it got there, what Zoho holds now."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dashboard.common import staff_only, staff_post
from sync.pipeline.deadletter import deadletter_retry
from sync.pipeline.kick import queue_kick
from sync.selectors.items import dead_letters_of_record
from sync.trace.compare import record_compare, record_refetch_apply
from sync.trace.record import RecordMissing, TraceError, event_entities, parse_as_of, record_key, record_trace
from sync.trace.search import BadQuery, record_search


@staff_only
def records(request: HttpRequest) -> HttpResponse:
    """The search box's answer: matching records grouped by entity; one exact match opens its trace."""
    raw = request.GET.get("q", "")
    context: dict[str, object] = {"q": raw[:200]}
    if raw.strip():
        try:
            found = record_search(raw)
        except BadQuery as exc:
            context["problem"] = str(exc)
        else:
            context["found"] = found
            only = [(g["entity"], hit) for g in found["groups"] for hit in g["results"]]
            if len(only) == 1 and only[0][1]["exact"]:
                return redirect("dashboard:record", only[0][0], only[0][1]["zoho_id"])
    return render(request, "dashboard/record_search.html", context)


def _trace_page(request: HttpRequest, entity: str, zoho_id: str, **extra: object) -> HttpResponse:
    try:
        as_of = parse_as_of(request.GET.get("as_of"))
    except TraceError as exc:
        messages.error(request, str(exc))
        as_of = None
    try:
        trace = record_trace(entity, zoho_id, as_of=as_of)
    except RecordMissing as exc:
        return render(request, "dashboard/record_missing.html", {"problem": str(exc), "entity": entity,
                                                                 "zoho_id": zoho_id}, status=404)
    except TraceError as exc:
        return render(request, "dashboard/record_missing.html", {"problem": str(exc)}, status=400)
    waiting = any(e["outcome"] == "waiting" for e in trace["events"])
    context = {"t": trace, "as_of_raw": request.GET.get("as_of", "")[:64], "waiting": waiting, **extra}
    if request.headers.get("HX-Request") == "true" and request.GET.get("fragment") == "events":
        return render(request, "dashboard/_record_events.html", context)
    return render(request, "dashboard/record.html", context)


@staff_only
def record(request: HttpRequest, entity: str, zoho_id: str) -> HttpResponse:
    return _trace_page(request, entity, zoho_id)


@staff_post
def record_compare_view(request: HttpRequest, entity: str, zoho_id: str) -> HttpResponse:
    """Compare with Zoho now: one detail call, the differences shown on the trace page."""
    try:
        comparison = record_compare(entity, zoho_id)
    except TraceError as exc:
        messages.error(request, str(exc))
        return _trace_page(request, entity, zoho_id)
    return _trace_page(request, entity, zoho_id, comparison=comparison.as_dict())


@staff_post
def record_apply(request: HttpRequest, entity: str, zoho_id: str) -> HttpResponse:
    """Re-fetch and apply: Zoho's version goes through the inbox; the page follows the event until applied."""
    try:
        applied = record_refetch_apply(entity, zoho_id)
    except TraceError as exc:
        messages.error(request, str(exc))
        return _back(entity, zoho_id)
    if applied.duplicate:
        messages.info(request, "This version was fetched and stored before; its event is listed below.")
    else:
        changed = len(applied.comparison.differences) + sum(len(v) for v in applied.comparison.lines.values())
        messages.success(request, f"Zoho's version is stored as inbox event {applied.inbox_event_id} "
                                  f"({changed} difference(s)); the workers apply it.")
    return _back(entity, zoho_id)


@staff_post
def record_retry(request: HttpRequest, entity: str, zoho_id: str) -> HttpResponse:
    """Retry this record's open dead letters (the ones ticked, or all of them)."""
    try:
        key = record_key(entity, zoho_id)
    except TraceError as exc:
        return render(request, "dashboard/record_missing.html", {"problem": str(exc)}, status=400)
    wanted = [int(v) for v in request.POST.getlist("ids") if v.isascii() and v.isdigit() and len(v) <= 18]
    ids = dead_letters_of_record(entities=event_entities(key.spec), zoho_id=key.zoho_id, ids=wanted)
    outcome = deadletter_retry(ids=ids)
    if outcome.requeued:
        queue_kick()
        messages.success(request, f"Requeued {outcome.requeued} dead letter(s).")
    else:
        messages.warning(request, "No open dead letter of this record to retry.")
    return _back(key.spec.name, key.zoho_id)


def _back(entity: str, zoho_id: str) -> HttpResponse:
    try:
        return redirect(reverse("dashboard:record", args=[entity, zoho_id]))
    except Exception:  # an entity or id no route can carry goes to the search page
        return redirect("dashboard:records")
