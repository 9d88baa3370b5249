"""Dead letters: retry one, some or all, or discard; each asks first and says what it did."""
from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dashboard.common import confirm_page, confirmed, page, staff_only, staff_post
from sync.pipeline.deadletter import deadletter_discard, deadletter_retry
from sync.selectors.pages import dead_letters_page
from sync.selectors.pipeline import dead_letters_open


@staff_only
def dead_letters(request: HttpRequest) -> HttpResponse:
    return page(request, "dashboard/dead_letters.html",
                {"letters": dead_letters_page(), "counts": dead_letters_open()})


_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits within a bigint: "²".isdigit() is true, int("²") raises


def _ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("ids") if _ID.fullmatch(v)]


@staff_post
def dead_letters_retry(request: HttpRequest) -> HttpResponse:
    every = request.POST.get("all") == "1"
    ids = _ids(request)
    if not every and not ids:
        messages.warning(request, "Nothing selected: tick the dead letters to retry.")
        return redirect("dashboard:dead-letters")
    if not confirmed(request):
        what = "every open dead letter" if every else f"{len(ids)} dead letter(s)"
        return confirm_page(request, question=f"Put {what} back on the queue?", back="dashboard:dead-letters")
    outcome = deadletter_retry(ids=ids, all_open=every)
    messages.success(request, f"Requeued {outcome.requeued} dead letter(s)"
                     + (f"; {outcome.skipped} were already resolved or unknown." if outcome.skipped else "."))
    return redirect("dashboard:dead-letters")


@staff_post
def dead_letters_discard(request: HttpRequest) -> HttpResponse:
    ids = _ids(request)
    if not ids:
        messages.warning(request, "Nothing selected: tick the dead letters to discard.")
        return redirect("dashboard:dead-letters")
    if not confirmed(request):
        return confirm_page(request, question=f"Discard {len(ids)} dead letter(s)? Their records stay unsynced.",
                            back="dashboard:dead-letters")
    count = deadletter_discard(ids=ids)
    messages.success(request, f"Discarded {count} dead letter(s).")
    return redirect("dashboard:dead-letters")
