"""Dead letters: filtered, one page each; retry one, some or all, or discard some or all that match;
each asks first and says what it did."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dashboard.common import confirm_page, confirmed, page, staff_only, staff_post
from dashboard.forms import ItemFilterForm
from sync.models import DeadLetter
from sync.pipeline.deadletter import deadletter_discard, deadletter_retry
from sync.selectors.items import dead_letter_detail, dead_letters_list, dead_letters_matching
from sync.selectors.pipeline import dead_letters_open


def _filter_form(data) -> ItemFilterForm:  # a QueryDict (GET or POST)
    return ItemFilterForm(data, kind="error_class", values=list(DeadLetter.ErrorClass.values))


@staff_only
def dead_letters(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request.GET)
    filters = form.filters()
    query = urlencode({k: v for k, v in filters.items() if v})
    return page(request, "dashboard/dead_letters.html", {
        **dead_letters_list(filters), "counts": dead_letters_open(), "filters": filters, "query": query,
        "choices": form.choices(),
        "problems": form.problems()}, fragment="dashboard/_dead_letters.html")


@staff_only
def dead_letter(request: HttpRequest, letter_id: int) -> HttpResponse:
    detail = dead_letter_detail(letter_id)
    if detail is None:
        raise Http404("no such dead letter")
    return page(request, "dashboard/dead_letter.html", detail)


_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits within a bigint: "²".isdigit() is true, int("²") raises


def _ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("ids") if _ID.fullmatch(v)]


def _back(request: HttpRequest) -> str:
    """Back to the list as it was filtered (the forms carry the list's query)."""
    form = _filter_form(request.POST)
    query = urlencode({k: v for k, v in form.filters().items() if v})
    return reverse("dashboard:dead-letters") + (f"?{query}" if query else "")


@staff_post
def dead_letters_retry(request: HttpRequest) -> HttpResponse:
    every = request.POST.get("all") == "1"
    ids = _ids(request)
    if not every and not ids:
        messages.warning(request, "Nothing selected: tick the dead letters to retry.")
        return redirect(_back(request))
    if not confirmed(request):
        what = "every open dead letter" if every else f"{len(ids)} dead letter(s)"
        return confirm_page(request, question=f"Put {what} back on the queue?", back="dashboard:dead-letters")
    outcome = deadletter_retry(ids=ids, all_open=every)
    messages.success(request, f"Requeued {outcome.requeued} dead letter(s)"
                     + (f"; {outcome.skipped} were already resolved or unknown." if outcome.skipped else "."))
    return redirect(_back(request))


@staff_post
def dead_letters_discard(request: HttpRequest) -> HttpResponse:
    """Discard the ticked letters, or with ``matching=1`` every open letter the list's filters match."""
    if request.POST.get("matching") == "1":
        return _discard_matching(request)
    ids = _ids(request)
    if not ids:
        messages.warning(request, "Nothing selected: tick the dead letters to discard.")
        return redirect(_back(request))
    if not confirmed(request):
        return confirm_page(request, question=f"Discard {len(ids)} dead letter(s)? Their records stay unsynced.",
                            back="dashboard:dead-letters")
    count = deadletter_discard(ids=ids)
    messages.success(request, f"Discarded {count} dead letter(s).")
    return redirect(_back(request))


def _discard_matching(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request.POST)
    filters = form.filters()
    if form.problems():
        for line in form.problems():
            messages.error(request, line)
        messages.error(request, "Nothing discarded: a filter was refused.")
        return redirect(_back(request))
    matching = dead_letters_matching(**filters)
    if not confirmed(request):
        shown = ", ".join(f"{k.replace('_', ' ')} {v!r}" for k, v in filters.items() if v) or "no filter"
        return confirm_page(request, back="dashboard:dead-letters", question=(
            f"Discard all {matching.count()} open dead letter(s) matching {shown}? Their records stay unsynced."))
    count = deadletter_discard(ids=list(matching.values_list("id", flat=True)))
    messages.success(request, f"Discarded {count} dead letter(s).")
    return redirect(_back(request))
