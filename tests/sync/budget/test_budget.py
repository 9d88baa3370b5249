"""The Zoho API budget: calls counted per quota day, the schedules' plan, the reserve across a quota day."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils import timezone

from sync.budget.guard import reserve_guard
from sync.budget.plan import budget_plan
from sync.budget.today import budget_today
from sync.budget.usage import endpoint_entity, quota_day, quota_day_of_reset, usage_on_call
from sync.config import config_get, config_set
from sync.ledger import run_open
from sync.metrics import points_flush
from sync.models import ApiQuotaDay, ApiUsage, Invoice, SyncRun
from sync.pull.run import pull_entity
from zoho.errors import ZohoQuotaExceeded
from zoho.metrics import QuotaInfo


def test_a_quota_day_is_named_by_the_utc_date_of_its_reset():
    # Zoho resets at midnight in the org's time zone; Baghdad's midnight is 21:00 UTC.
    assert quota_day_of_reset(datetime(2026, 12, 2, 21, 0, 0, tzinfo=UTC)) == date(2026, 12, 2)
    assert quota_day_of_reset(datetime(2026, 12, 2, 21, 0, 1, tzinfo=UTC)) == date(2026, 12, 2)  # jitter
    assert quota_day_of_reset(datetime(2026, 12, 3, 0, 0, 0, tzinfo=UTC)) == date(2026, 12, 2)
    assert endpoint_entity("GET /inventory/v1/items/{id}") == "items"
    assert endpoint_entity("GET /inventory/v1/itemdetails") == "items"
    assert endpoint_entity("GET /books/v3/invoices") == "invoices"


@pytest.mark.django_db
def test_calls_are_counted_by_day_entity_and_trigger_and_the_quota_is_kept():
    quota = QuotaInfo(limit=2000, remaining=1500, reset_seconds=3600)
    with run_open(run_type="incremental", entity="invoices", trigger="schedule"):
        for _ in range(3):
            usage_on_call(endpoint="GET /books/v3/invoices", status="200", quota=quota)
    with run_open(run_type="queue", trigger="webhook"):
        usage_on_call(endpoint="GET /books/v3/invoices/{id}", status="200", quota=quota)
    usage_on_call(endpoint="GET /inventory/v1/items", status="429", quota=quota)
    points_flush()
    day = quota_day()
    rows = {(u.entity, u.trigger, u.status): u.calls for u in ApiUsage.objects.filter(day=day)}
    assert rows == {("invoices", "schedule", "200"): 3, ("invoices", "webhook", "200"): 1,
                    ("items", "manual", "429"): 1}
    assert ApiQuotaDay.objects.get(day=day).remaining == 1500
    budget = budget_today()
    assert budget["by_trigger"] == {"schedule": 3, "webhook": 1, "manual": 1}
    assert budget["by_entity"] == {"invoices": 4, "items": 1}
    # Zoho says 500 were spent (other clients too): that, not our 5, is what is used
    assert (budget["quota"], budget["used"], budget["left"], budget["quota_source"]) == (2000, 500, 1500, "zoho")


def _measured(run_type: str, calls: int, *, runs: int = 3) -> None:
    for n in range(runs):
        SyncRun.objects.create(run_type=run_type, entity="items", trigger="schedule", status="completed",
                               api_calls=calls, correlation_id=f"{run_type}-{n}",
                               started_at=datetime.now(UTC), finished_at=datetime.now(UTC))


@pytest.mark.django_db
def test_the_plan_multiplies_measured_calls_by_runs_per_day():
    _measured("stock", 10)
    _measured("incremental", 6)
    plan = {row.name.removeprefix("tds: "): row for row in budget_plan().schedules}
    assert plan["stock sync"].runs_per_day == 1440 / config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES")
    assert plan["stock sync"].calls_per_run == 10 and plan["stock sync"].measured_runs == 3
    assert plan["incremental pull"].calls_per_day == 24 * 6
    assert plan["full pull (catches deletions)"].runs_per_day == 1
    # never measured: estimated from the (empty) mirror, one list page per entity, no image to download
    assert plan["full pull (catches deletions)"].estimated and plan["full pull (catches deletions)"].calls_per_run == 15
    assert plan["image sync"].estimated and plan["image sync"].calls_per_run == 0


@pytest.mark.django_db
def test_a_schedule_interval_that_would_spend_over_80_percent_is_refused_with_the_numbers(settings):
    settings.TDS_ZOHO_DAILY_QUOTA = 2000
    _measured("stock", 20)  # every 30 min: 48 runs x 20 = 960 calls, 48 %
    with pytest.raises(ValidationError) as info:
        config_set("TDS_STOCK_SYNC_INTERVAL_MINUTES", 10)  # 144 runs x 20 = 2880 calls, 144 %
    message = info.value.messages[0]
    assert "TDS_STOCK_SYNC_INTERVAL_MINUTES=10 refused" in message
    # with the unmeasured schedules' estimates (empty mirror: a list page per entity, 15 entities):
    # compare 4 x 15 + incremental 24 x 15 + full 1 x 15 = 435
    assert "3315 Zoho calls a day, 165.8% of the daily quota of 2000 (at most 80%)" in message
    assert "stock sync 144/day x 20 calls," in message
    assert "incremental pull 24/day x 15 calls (estimated, none measured yet: 15 list pages" in message
    assert config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES") == 30
    assert config_set("TDS_STOCK_SYNC_INTERVAL_MINUTES", 60) == 60  # less use is always allowed


@pytest.mark.django_db
def test_the_reserve_stops_runs_but_not_webhook_follow_ups(settings):
    settings.TDS_ZOHO_WEBHOOK_RESERVE_PERCENT = 10.0
    low = QuotaInfo(limit=2000, remaining=150, reset_seconds=7200)
    reserve_guard(endpoint="GET /books/v3/invoices", quota=low)  # outside any run: not bulk work
    with run_open(run_type="queue", trigger="webhook"):
        reserve_guard(endpoint="GET /books/v3/invoices/{id}", quota=low)
    with run_open(run_type="full", entity="invoices"), pytest.raises(ZohoQuotaExceeded) as info:
        reserve_guard(endpoint="GET /books/v3/invoices/{id}", quota=low)
    assert "150 of 2000 calls left, the last 200 are kept for webhook follow-ups" in str(info.value)
    assert info.value.reset_seconds == pytest.approx(7200, abs=5)
    with run_open(run_type="full", entity="invoices"):
        reserve_guard(endpoint="GET /books/v3/invoices/{id}",
                      quota=QuotaInfo(limit=2000, remaining=201, reset_seconds=7200))


@pytest.mark.django_db(transaction=True)
def test_a_first_load_larger_than_the_daily_quota_stops_at_the_reserve_and_resumes_next_day(
        sandbox_factory, settings):
    from zoho.client import get_client

    sb = sandbox_factory(items=20, seed=7, daily_limit=40, counts={"invoices": 60})
    settings.ZOHO_ACCOUNTS_URL, settings.ZOHO_RATE_LIMIT_PER_MINUTE = sb.url, 0
    settings.ZOHO_MAX_CONCURRENCY, settings.ZOHO_DAILY_QUOTA_RESERVE = 1, 1  # the client's own last-call floor
    settings.TDS_ZOHO_WEBHOOK_RESERVE_PERCENT = 10.0  # 4 of 40 calls
    caches["shared"].clear()

    day1_started = timezone.now()
    day1 = pull_entity(entity="invoices", client=get_client(accounts_url=sb.url), db_batch_size=10)
    assert day1.status == "deferred"  # Zoho's limit, not a failure: it says when to go on
    assert "kept for webhook follow-ups" in day1.error and "goes on from here" in day1.error
    assert datetime.fromisoformat(day1.extra["resume_at"]) > day1_started  # Zoho's reset, as the quota said
    stored = Invoice.objects.count()
    assert stored == 35  # every detail fetched before the stop is kept, the fourth batch's five included
    assert sb.app.limits.used_today == 36  # 40 minus the reserve of 4: Zoho never answered code 45
    assert SyncRun.objects.get(pk=day1.run_id).error_message == day1.error
    points_flush()  # every call went into the day's budget, under its entity and trigger
    assert {(u.endpoint, u.trigger): u.calls for u in ApiUsage.objects.filter(entity="invoices")} == {
        ("GET /books/v3/invoices", "manual"): 1, ("GET /books/v3/invoices/{id}", "manual"): 35}
    assert budget_today()["left"] == 4

    # The next quota day: Zoho's counter starts again; this process forgets the exhausted quota.
    sb.app.limits.reset()
    caches["shared"].clear()
    details_before = _detail_calls(sb)
    day2 = pull_entity(entity="invoices", client=get_client(accounts_url=sb.url), db_batch_size=10)
    assert day2.status == "completed", day2.error
    assert Invoice.objects.count() == 60
    assert _detail_calls(sb) - details_before == 60 - stored  # what was stored is not fetched again
    assert day2.unchanged == stored


def _detail_calls(sb) -> int:
    return sum(n for endpoint, n in sb.calls.by_endpoint().items() if endpoint.startswith("GET /books/v3/invoices/"))


@pytest.mark.django_db
def test_a_first_load_does_not_count_as_the_schedules_steady_use():
    now = datetime.now(UTC)
    SyncRun.objects.create(run_type="full", entity="invoices", status="completed", api_calls=3000, created=3000,
                           processed=3000, correlation_id="first", started_at=now - timedelta(hours=2),
                           finished_at=now - timedelta(hours=2))
    plan = {row.name: row for row in budget_plan().schedules}
    assert plan["tds: full pull (catches deletions)"].calls_per_run == 3000  # nothing else measured yet
    SyncRun.objects.create(run_type="full", entity="invoices", status="completed", api_calls=20, unchanged=3000,
                           processed=3000, correlation_id="second", started_at=now, finished_at=now)
    plan = {row.name: row for row in budget_plan().schedules}
    assert plan["tds: full pull (catches deletions)"].calls_per_run == 20


@pytest.mark.django_db
def test_the_configuration_page_refuses_an_over_quota_interval_too(settings):
    from sync.models import Configuration

    settings.TDS_ZOHO_DAILY_QUOTA = 2000
    _measured("stock", 20)
    with pytest.raises(ValidationError, match="would spend 3315 Zoho calls a day"):
        Configuration(key="TDS_STOCK_SYNC_INTERVAL_MINUTES", value=10).full_clean()


@pytest.mark.django_db
def test_a_process_that_never_called_zoho_files_today_under_the_workers_quota_day():
    # Zoho resets at 21:00 UTC (midnight in Baghdad); at 22:00 UTC the quota day is the next date.
    reset = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    ApiQuotaDay.objects.create(day=date(2026, 12, 2), quota_limit=2000, remaining=100, reset_at=reset)
    ApiUsage.objects.create(day=date(2026, 12, 3), entity="items", trigger="schedule", endpoint="GET x",
                            status="200", calls=7)
    budget = budget_today(now=datetime(2026, 12, 2, 22, 0, tzinfo=UTC))
    assert budget["day"] == "2026-12-03" and budget["counted"] == 7
