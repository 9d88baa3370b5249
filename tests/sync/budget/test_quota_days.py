"""A first load several times larger than Zoho's daily quota, run the way an operator (or the schedule)
runs it: `tds_sync` once a quota day. Each day stops at the reserve kept for webhook follow-ups with
the time to resume, never at Zoho's own refusal; the load finishes on a later day, and no document
detail is fetched twice across the days."""
from __future__ import annotations

import os
from io import StringIO
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command

from sync.models import Customer, Invoice, Product, SalesOrder, SyncRun
from zoho.auth import clear_token_cache

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DAILY_LIMIT = 60
WEBHOOK_RESERVE = 6  # 10 % of the day
COUNTS = {"customers": 30, "invoices": 80, "salesorders": 40}
ENTITIES = ["items", "customers", "invoices", "sales_orders"]
MAX_DAYS = 8


@pytest.fixture
def small_quota_org(sandbox_factory: Any, settings: Any) -> Any:
    sb = sandbox_factory(items=20, seed=7, daily_limit=DAILY_LIMIT, counts=COUNTS)
    cfg = sb.config
    settings.ZOHO_SANDBOX_URL = settings.ZOHO_ACCOUNTS_URL = sb.url
    settings.ZOHO_CLIENT_ID, settings.ZOHO_CLIENT_SECRET = cfg.client_id, cfg.client_secret
    settings.ZOHO_REFRESH_TOKEN, settings.ZOHO_ORGANIZATION_ID = cfg.refresh_token, cfg.organization_id
    settings.ZOHO_RATE_LIMIT_PER_MINUTE, settings.ZOHO_MAX_CONCURRENCY = 0, 1
    settings.ZOHO_DAILY_QUOTA_RESERVE = 1  # the client's own last-call floor
    settings.TDS_ZOHO_WEBHOOK_RESERVE_PERCENT = 10.0
    settings.TDS_PULL_DB_BATCH_SIZE = 10
    caches["shared"].clear()
    clear_token_cache()
    yield sb
    clear_token_cache()


def _next_quota_day(sb: Any) -> None:
    """Zoho's counter starts again at the org's midnight; the quota this process learned is forgotten."""
    sb.app.limits.reset()
    caches["shared"].clear()


def _detail_calls(sb: Any, entity: str) -> int:
    prefix = f"GET /books/v3/{entity}/"
    return sum(n for endpoint, n in sb.calls.by_endpoint().items() if endpoint.startswith(prefix))


def test_a_first_load_larger_than_the_daily_quota_finishes_across_quota_days_without_refetching(small_quota_org):
    sb = small_quota_org
    days: list[str] = []
    for _day in range(MAX_DAYS):
        try:
            call_command("tds_sync", "--entities", *ENTITIES, stdout=StringIO(), stderr=StringIO())
        except CommandError as stopped:
            assert stopped.returncode == os.EX_TEMPFAIL, stopped  # Zoho's limit: try later, not a failure
            assert "cut short by Zoho's limits" in str(stopped) and "resume at" in str(stopped)
            days.append("deferred")
        else:
            days.append("completed")
            break
        finally:
            # Every day ended at the reserve: Zoho itself never had to refuse a call (its code 45).
            assert sb.app.limits.used_today <= DAILY_LIMIT - WEBHOOK_RESERVE
        _next_quota_day(sb)

    assert days[-1] == "completed" and len(days) >= 3, days  # the load needed several quota days
    assert not SyncRun.objects.filter(status="failed").exists()
    assert SyncRun.objects.filter(status="deferred").count() >= len(days) - 1
    for model, count in ((Product, 20), (Customer, COUNTS["customers"]), (Invoice, COUNTS["invoices"]),
                         (SalesOrder, COUNTS["salesorders"])):
        assert model.objects.count() == count, model
    # No refetch: each document's detail was asked for once over all the days.
    assert _detail_calls(sb, "invoices") == COUNTS["invoices"]
    assert _detail_calls(sb, "salesorders") == COUNTS["salesorders"]
