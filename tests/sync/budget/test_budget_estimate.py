"""A schedule never measured counts the calls its run is estimated to cost, never 0."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from odoo.engine import ODOO_SYNC
from sync import schedules
from sync.budget.estimate import calls_per_run_estimated
from sync.budget.plan import budget_plan
from sync.config import config_get, config_set
from sync.models import Customer, Invoice, Product, SyncRun

pytestmark = pytest.mark.django_db
NOW = datetime.now(UTC)


def _items(n: int, *, changed: int = 0, inactive: int = 0) -> None:
    Product.objects.bulk_create(
        Product(zoho_item_id=str(i), name=f"item {i}", is_active=i >= inactive,
                zoho_last_modified=NOW - timedelta(hours=2 if i < changed else 72)) for i in range(n))


def test_an_empty_mirror_still_costs_a_list_call_per_run() -> None:
    assert calls_per_run_estimated(schedules.STOCK_SYNC, runs_per_day=48).calls == 1
    assert calls_per_run_estimated(schedules.FULL_PULL, runs_per_day=1).calls == 15  # a page per entity
    assert calls_per_run_estimated(ODOO_SYNC, runs_per_day=288).calls == 0  # Odoo is not Zoho


def test_stock_counts_pages_of_active_items_and_itemdetails_for_the_changed_ones() -> None:
    _items(2218, changed=960, inactive=18)  # 2200 active; 960 changed a day: 20 a run at 48 runs
    estimate = calls_per_run_estimated(schedules.STOCK_SYNC, runs_per_day=48)
    assert estimate.calls == 11 + 1
    assert estimate.basis == "11 list pages of 2200 active items + 1 itemdetails calls"
    # 24 changes a day at a run a minute: most runs see none; itemdetails cost that share of a call
    Product.objects.filter(zoho_last_modified__gte=NOW - timedelta(days=1)).exclude(
        zoho_item_id__in=[str(i) for i in range(24)]).update(zoho_last_modified=NOW - timedelta(days=3))
    assert calls_per_run_estimated(schedules.STOCK_SYNC, runs_per_day=1440, fresh=True).calls == 11 + 0.02


def test_pulls_count_details_of_changed_documents_and_incremental_lists_only_changes() -> None:
    Customer.objects.bulk_create(Customer(zoho_contact_id=str(i), name=f"c{i}") for i in range(500))
    Invoice.objects.bulk_create(
        Invoice(zoho_invoice_id=str(i), invoice_number=f"INV-{i}",
                zoho_last_modified=NOW - timedelta(hours=1 if i < 240 else 200)) for i in range(3000))
    full = calls_per_run_estimated(schedules.FULL_PULL, runs_per_day=1)
    # lists: invoices 15 pages, customers 3 and vendors 3 (both read the whole contacts list), 12 empty
    # entities 1 each; details: 240 changed invoices
    assert full.calls == 15 + 3 + 3 + 12 + 240
    incremental = calls_per_run_estimated(schedules.INCREMENTAL_PULL, runs_per_day=24)
    # Zoho documents no last_modified_time filter for invoices or contacts: they are listed whole on every
    # pass; the entities with a filter cost a page each (empty); 10 invoice details a run
    assert incremental.calls == 15 + 3 + 3 + 12 + 10
    compare = calls_per_run_estimated(schedules.COMPARE_SYNC, runs_per_day=4)
    assert compare.calls == 15 + 3 + 3 + 12  # list pages only


def test_a_full_pull_counts_the_detail_of_every_undated_document() -> None:
    from sync.models import StockAdjustment, TransferOrder

    StockAdjustment.objects.bulk_create(StockAdjustment(zoho_inventory_adjustment_id=str(i)) for i in range(30))
    TransferOrder.objects.bulk_create(TransferOrder(zoho_transfer_order_id=str(i)) for i in range(20))
    full = calls_per_run_estimated(schedules.FULL_PULL, runs_per_day=1)
    assert full.calls == 15 + 30 + 20  # a page per entity, and the detail of each adjustment and transfer
    incremental = calls_per_run_estimated(schedules.INCREMENTAL_PULL, runs_per_day=24)
    assert incremental.calls == 15  # their details only for the changed ones (none here)


def test_a_measured_schedule_uses_its_measurement_and_the_rest_their_estimate() -> None:
    _items(1000)
    SyncRun.objects.create(run_type="stock", entity="stock", trigger="schedule", status="completed", api_calls=7,
                           unchanged=1000, processed=1000, correlation_id="s1", started_at=NOW, finished_at=NOW)
    plan = {row.name: row for row in budget_plan().schedules}
    assert (plan[schedules.STOCK_SYNC].calls_per_run, plan[schedules.STOCK_SYNC].estimated) == (7, False)
    assert (plan[schedules.FULL_PULL].calls_per_run, plan[schedules.FULL_PULL].estimated) == (5 + 14, True)
    assert plan[schedules.FULL_PULL].as_dict()["estimated"] is True


def test_an_unmeasured_interval_is_checked_against_its_estimate(settings) -> None:
    settings.TDS_ZOHO_DAILY_QUOTA = 10_000
    _items(2218)
    with pytest.raises(ValidationError) as info:
        config_set("TDS_STOCK_SYNC_INTERVAL_MINUTES", 1)
    message = info.value.messages[0]
    # 1440 runs x 12 pages = 17280, plus compare 4 x 26, incremental 24 x 15 and full 26
    assert message.startswith("TDS_STOCK_SYNC_INTERVAL_MINUTES=1 refused: the schedules would spend 17770 Zoho "
                              "calls a day, 177.7% of the daily quota of 10000 (at most 80%): ")
    assert ("stock sync 1440/day x 12 calls (estimated, none measured yet: 12 list pages of 2218 active items)"
            in message)
    assert config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES") == 30
    assert config_set("TDS_STOCK_SYNC_INTERVAL_MINUTES", 10) == 10  # 144 x 12: well within


def test_the_metrics_page_marks_estimates(staff_client) -> None:
    _items(450)
    page = staff_client.get("/tds-admin/metrics/").content.decode()
    assert "(estimated: 3 list pages of 450 active items)" in page
