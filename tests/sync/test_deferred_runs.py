"""A run cut short by Zoho's limits is "deferred", not failed: it says when to resume, the entities
it did not reach are listed (not failed), and neither the health score nor the alerts count it."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.utils import timezone

from sync.compare.health import health_inputs
from sync.entities import REGISTRY, resolve_entities
from sync.ledger import run_open
from sync.models import SyncLog, SyncRun
from sync.selectors.runs import runs_stats
from zoho.auth import clear_token_cache
from zoho.errors import CircuitOpenError, ZohoQuotaExceeded, ZohoTokenLimitError, ZohoTransientError

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_tokens(sandbox_maker: Any, settings: Any) -> Any:
    """Zoho grants one token, and every access token dies after 25 calls: the lists (13 calls) and
    bills (9) fit, invoices do not."""
    sb = sandbox_maker(faults="expire_every=25", tokens_per_window=1)
    settings.ZOHO_ACCOUNTS_URL, settings.ZOHO_RATE_LIMIT_PER_MINUTE = sb.url, 0
    caches["shared"].clear()  # no token, hold-off or circuit of an earlier sandbox
    clear_token_cache()
    return sb


@pytest.mark.django_db(transaction=True)  # the command manages its own connection, as in production
def test_tds_sync_stops_at_a_refused_token_with_the_time_to_resume_and_lists_what_it_did_not_reach(
        few_tokens: Any) -> None:
    with pytest.raises(CommandError) as stopped:
        call_command("tds_sync", "--full", stdout=StringIO(), stderr=StringIO())
    message = str(stopped.value)
    assert stopped.value.returncode == 75 and "cut short by Zoho's limits" in message and "resume at" in message
    runs = dict(SyncRun.objects.values_list("entity", "status"))
    cut = next(entity for entity, status in runs.items() if status == "deferred")
    assert REGISTRY[cut].per_record_calls  # every list-only entity ran before it, and completed
    order = resolve_entities(None)
    assert [runs[e] for e in order[:order.index(cut)]] == ["completed"] * order.index(cut)
    not_reached = order[order.index(cut) + 1:]
    assert not_reached and not set(not_reached) & set(runs) and f"not reached: {', '.join(not_reached)}" in message
    line = SyncLog.objects.get(run__entity=cut, level="WARNING", message__startswith="deferred")
    assert "ZohoTokenLimitError" in line.message and "resume at 20" in line.message


@pytest.mark.parametrize("make", [
    lambda: ZohoTokenLimitError("Access Denied", retry_after=600),
    lambda: ZohoQuotaExceeded("daily quota", reset_seconds=3600),
    lambda: CircuitOpenError("circuit open", retry_after=30)])
def test_zohos_not_now_makes_a_run_deferred_with_its_resume_time_and_any_other_error_failed(make: Any) -> None:
    error = make()
    with pytest.raises(type(error)), run_open(run_type="full", entity="items") as waiting:
        raise error
    with pytest.raises(ZohoTransientError), run_open(run_type="full", entity="items") as broken:
        raise ZohoTransientError("HTTP 500")
    deferred = SyncRun.objects.get(pk=waiting.result.run_id)
    resume = timezone.datetime.fromisoformat(deferred.summary["resume_at"])
    expected = timezone.now() + timedelta(seconds=error.retry_after)
    assert deferred.status == "deferred" and abs((resume - expected).total_seconds()) < 5
    assert SyncRun.objects.get(pk=broken.result.run_id).status == "failed"


def test_deferred_runs_cost_the_health_score_nothing_and_count_as_done_in_the_stats() -> None:
    for status in ("deferred", "deferred", "failed", "completed"):
        SyncRun.objects.create(run_type="full", entity="invoices", status=status, finished_at=timezone.now())
    assert health_inputs(entities=["invoices"], cursor_entities={}).failed_runs == 1
    stats = runs_stats()
    assert (stats["runs_failed_24h"], stats["success_rate"]) == (1, 75.0)


def test_the_api_and_the_dashboard_show_a_deferred_run_with_its_resume_time(staff_client: Any) -> None:
    with pytest.raises(ZohoTokenLimitError), run_open(run_type="full", entity="invoices"):
        raise ZohoTokenLimitError("Access Denied: too many tokens requested", retry_after=600)
    run = SyncRun.objects.get()
    resume = run.summary["resume_at"]
    listed = staff_client.get("/api/tds/sync-runs?status=deferred").json()["results"]
    assert [(r["id"], r["status"], r["resume_at"]) for r in listed] == [(str(run.pk), "deferred", resume)]
    detail = staff_client.get(f"/api/tds/sync-runs/{run.pk}").json()
    assert detail["resume_at"] == resume and any("resume at" in line["message"] for line in detail["logs"])
    page = staff_client.get(f"/tds-admin/runs/{run.pk}/").content.decode()
    assert "deferred" in page and f"resume at {resume}" in page
