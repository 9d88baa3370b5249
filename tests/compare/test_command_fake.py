"""tds_compare end to end on a fake Zoho client and a fake registry: output, JSON, logs, runs, dry run.

The sandbox-backed scenario (tests/compare/test_scenario.py) covers the same
paths against real HTTP and the real sync engine; these run without either.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from sync.compare import execute as compare_sync
from sync.compare import targets as compare_targets
from sync.compare.run import compare_run
from sync.models import PriceList, Product, SyncCursor, SyncRun
from tests.compare.fakes import FakeClient
from tests.compare.test_engine import BASE, local_product, zoho_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_zoho(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings) -> FakeClient:
    settings.LOGS_DIR = tmp_path / "logs"
    registry = {
        "items": SimpleNamespace(name="items", api="inventory", path="/items", list_key="items", id_field="item_id",
                                 model=Product, model_id_field="zoho_item_id", params={}, keep=None, paged=True),
        "price_lists": SimpleNamespace(name="price_lists", api="inventory", path="/pricebooks",
                                       list_key="pricebooks", id_field="pricebook_id", model=PriceList,
                                       model_id_field="zoho_pricebook_id", params={}, keep=None, paged=True),
    }
    monkeypatch.setattr(compare_targets, "_registry", lambda: registry)
    client = FakeClient({
        "/items": [zoho_item(i, stock=i) for i in range(1, 41)],
        "/pricebooks": [{"pricebook_id": "p1", "last_modified_time": "2026-01-01T03:00:00+0300"}],
    })
    monkeypatch.setattr(compare_sync, "compare_run", lambda **kw: compare_run(**kw | {"client": client}))
    Product.objects.bulk_create([local_product(i, stock_quantity=i) for i in range(1, 39)])
    PriceList.objects.create(zoho_pricebook_id="p1", name="P", zoho_last_modified=BASE)
    SyncCursor.objects.create(entity="items", watermark=BASE, last_full_run_at=timezone.now())
    SyncCursor.objects.create(entity="price_lists", watermark=BASE, last_full_run_at=timezone.now())
    return client


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("tds_compare", *args, stdout=out)
    return out.getvalue()


def test_quick_summary_numbers_and_recommendations(fake_zoho: FakeClient) -> None:
    out = run("--entities", "items", "stock", "price_lists")
    assert "📊 QUICK SUMMARY" in out
    assert "Health Score: 96.7/100 (EXCELLENT)" in out  # mean of 95.0, 95.0, 100.0; no penalties
    assert "  ✅ items           Zoho:     40 | Local:     38 | Diff:     +2 | Match:  95.0%" in out
    assert "  ✅ price_lists     Zoho:      1 | Local:      1 | Diff:     +0 | Match: 100.0%" in out
    assert "ITEMS: INCREMENTAL_SYNC (priority 8/10)" in out
    assert "PRICE_LISTS: NO_SYNC_NEEDED (priority 1/10)" in out
    assert "🔌 API calls for this comparison: 2 (GET /inventory/items: 1, GET /inventory/pricebooks: 1)" in out


def test_a_run_writes_logs_summary_run_row_and_json(fake_zoho: FakeClient, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    run("--entities", "items", "--deep", "--output", str(target))
    report = json.loads(target.read_text())
    assert report["schema"] == "tds.compare/1"
    assert report["mode"] == "deep"
    assert report["comparisons"][0]["missing_local"] == {"count": 2, "ids": ["39", "40"]}
    assert report["recommendations"][0]["action"] == "INCREMENTAL_SYNC"
    logs = Path(settings.LOGS_DIR)
    assert "compare items zoho=40 local=38 diff=+2" in (logs / "tds_auto_sync.log").read_text()
    summary = (logs / "tds_auto_sync_summary.txt").read_text().splitlines()
    assert len(summary) == 1 and "health=" in summary[0] and "items=95.0%" in summary[0]
    row = SyncRun.objects.get(run_type="compare")
    assert (row.status, row.api_calls, row.summary["schema"]) == ("completed", 1, "tds.compare/1")


def test_sync_dry_run_prints_the_plan_and_writes_nothing(fake_zoho: FakeClient) -> None:
    runs_before, products_before = SyncRun.objects.count(), Product.objects.count()
    out = run("--entities", "items", "--deep", "--sync", "--dry-run")
    assert "🔄 AUTO-SYNC MODE (DRY RUN)" in out
    assert "📦 ITEMS: INCREMENTAL_SYNC" in out
    assert "   🧪 Would run: incremental pull of items (Zoho ids: 39, 40)" in out
    assert "Dry run complete: nothing was written." in out
    assert (SyncRun.objects.count(), Product.objects.count()) == (runs_before, products_before)
    assert not Path(settings.LOGS_DIR).exists()


def test_unknown_entity_is_refused_with_the_valid_list(fake_zoho: FakeClient) -> None:
    with pytest.raises(CommandError, match=r"unknown entity 'itemz'; valid: warehouses, items, .*stock, images"):
        run("--entities", "itemz")


def test_products_is_an_alias_for_items(fake_zoho: FakeClient) -> None:
    assert "✅ items" in run("--entities", "products")


def test_output_with_dry_run_is_refused(fake_zoho: FakeClient, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="dry runs write nothing to disk"):
        run("--dry-run", "--output", str(tmp_path / "r.json"))


def test_a_mass_disappearance_is_listed_for_review_and_not_acted_on(fake_zoho: FakeClient) -> None:
    Product.objects.bulk_create([Product(zoho_item_id=f"gone-{i}", name="x") for i in range(8)])
    out = run("--entities", "items", "--deep", "--sync")
    assert "ITEMS: RECONCILIATION (priority 9/10)" in out  # 7, +1 below 95 %, +1 below 80 %
    assert "8 local records are not in Zoho (17% of the mirror): review before a full pass marks them deleted" in out
    assert "🔎 ITEMS: RECONCILIATION (review, not synced)" in out
    assert "   Zoho ids: gone-0, gone-1, gone-2, gone-3, gone-4, gone-5, gone-6, gone-7" in out
    assert "Auto-sync complete; 1 entity needs review (listed above)." in out
    assert Product.objects.filter(deleted_in_zoho_at__isnull=False).count() == 0
    assert SyncRun.objects.get(run_type="compare_sync").summary["actions"] == []
