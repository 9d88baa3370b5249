"""Known differences seeded in the sandbox after a full sync: every number in the report,
the band, each recommendation; --sync reaches a 100 % deep match; --dry-run writes nothing.

Real HTTP (the sandbox), the real client, the real pull engine and image sync.
"""
from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from sync.compare.targets import valid_names
from sync.models import Product, SyncRun

pytestmark = pytest.mark.django_db(transaction=True)
ENTITIES = ["warehouses", "items", "price_lists", "customers", "vendors"]
NO_IMAGE = {"image_name": "", "image_type": "", "image_document_id": "", "image_id": ""}


@pytest.fixture
def mirror(sandbox_factory: Any, settings: Any, tmp_path: Path) -> Any:
    """A 60-item sandbox, fully synced (records and images); logs and media under tmp_path."""
    from sync.images.run import images_sync
    from sync.pull.run import pull_all
    from zoho.auth import clear_token_cache

    sb = sandbox_factory(items=60)
    settings.ZOHO_ACCOUNTS_URL, settings.ZOHO_RATE_LIMIT_PER_MINUTE = sb.url, 0
    settings.LOGS_DIR, settings.MEDIA_ROOT = tmp_path / "logs", tmp_path / "media"
    clear_token_cache()
    assert pull_all(full=True).ok  # every entity: a deep compare without --entities covers them all
    assert images_sync().ok
    yield sb
    clear_token_cache()


def seed_differences(sb: Any) -> dict[str, str]:
    items = sb.store.list("items")
    plain = [i["item_id"] for i in items if not i["image_name"]]
    pictured = [i["item_id"] for i in items if i["image_name"]]
    ids = {"edited": plain[0], "deleted": plain[1], "lost": plain[2], "image": pictured[0], "stock": pictured[1],
           "customer": sb.store.list("contacts")[0]["contact_id"]}
    sb.store.edit("items", ids["edited"], {"rate": 12.5})
    sb.store.delete("items", ids["deleted"])
    sb.store.change_image(ids["image"])
    ids["new"] = sb.store.create("items", NO_IMAGE)
    sb.store.edit("contacts", ids["customer"], {"company_name": "Renamed LLC"})
    Product.objects.filter(zoho_item_id=ids["lost"]).delete()  # lost locally, older than the cursor
    Product.objects.create(zoho_item_id="local-only-1", name="Not in Zoho")
    Product.objects.filter(zoho_item_id=ids["stock"]).update(stock_quantity=Decimal("-1"))
    return ids


def compare(*args: str) -> tuple[str, dict]:
    out = StringIO()
    call_command("tds_compare", "--deep", *args, stdout=out)
    run = SyncRun.objects.filter(run_type__startswith="compare").order_by("-created_at").first()
    return out.getvalue(), (run.summary if run else {})


def by_entity(report: dict, key: str) -> dict[str, dict]:
    return {row["entity"]: row for row in report[key]}


def test_every_difference_is_reported_then_synced_to_a_full_match(mirror: Any) -> None:
    ids = seed_differences(mirror)
    out, report = compare()
    rows, recs = by_entity(report, "comparisons"), by_entity(report, "recommendations")
    pictures = sum(1 for i in mirror.store.list("items") if i["image_name"])
    items = rows["items"]
    assert (items["zoho_count"], items["local_count"], items["identical"]) == (60, 60, 56)
    assert items["missing_local"]["ids"] == sorted([ids["lost"], ids["new"]])
    assert items["missing_in_zoho"]["ids"] == sorted([ids["deleted"], "local-only-1"])
    assert items["stale"]["ids"] == sorted([ids["edited"], ids["image"]])
    assert items["behind_cursor"]["ids"] == [ids["lost"]]
    assert items["match_pct"] == round(100 * 56 / 62, 2)
    stock = rows["stock"]
    assert (stock["zoho_count"], stock["local_count"], stock["identical"]) == (60, 59, 57)
    assert stock["stale"]["ids"] == [ids["stock"]]
    images = rows["images"]
    assert (images["zoho_count"], images["local_count"], images["changed"]["ids"]) == (pictures, pictures,
                                                                                       [ids["image"]])
    assert rows["customers"]["stale"]["ids"] == [ids["customer"]]
    assert rows["vendors"]["match_pct"] == rows["price_lists"]["match_pct"] == 100.0
    changed = {"items": ("FULL_SYNC", 10), "stock": ("INCREMENTAL_SYNC", 9), "images": ("DOWNLOAD_MISSING", 5),
               "customers": ("INCREMENTAL_SYNC", 9)}
    assert set(recs) == set(valid_names())  # a deep compare without --entities covers every entity
    assert {e: (r["action"], r["priority"]) for e, r in recs.items()} == {
        **{entity: ("NO_SYNC_NEEDED", 1) for entity in recs}, **changed}
    matches = [r["match_pct"] for r in report["comparisons"]]
    expected = round(sum(matches) / len(matches), 1)
    assert f"Overall Match: {expected}%" in out
    assert report["health"]["score"] < 100.0  # a full pass is due: the score says so
    calls = report["api_calls"]  # list pages only: no call names one record
    assert calls["total"] == sum(calls["by_endpoint"].values())
    assert all(path.count("/") == 3 for path in calls["by_endpoint"]), calls

    out, synced = compare("--sync")
    actions = by_entity(synced, "actions")
    assert list(actions) == ["items", "customers", "stock", "images"]  # stock and images after items
    assert (actions["items"]["synced"], actions["items"]["failed"]) == (6, 0)  # 2 new, 2 changed, 2 marked deleted
    assert actions["images"]["synced"] == 1
    assert "✅ Auto-sync complete!" in out

    out, after = compare()
    assert all(row["match_pct"] == 100.0 for row in after["comparisons"]), out
    assert after["health"] == {**after["health"], "score": 100.0, "band": "EXCELLENT"}
    gone = Product.objects.get(zoho_item_id=ids["deleted"])
    assert (gone.is_active, gone.deleted_in_zoho_at is not None) == (False, True)


def snapshot(settings: Any) -> tuple[dict[str, int], list[str]]:
    counts = {m._meta.db_table: m.objects.count() for m in apps.get_app_config("sync").get_models()}
    files = sorted(str(p) for root in (settings.LOGS_DIR, settings.MEDIA_ROOT) if Path(root).exists()
                   for p in Path(root).rglob("*"))
    return counts, files


def test_sync_dry_run_prints_the_plan_and_writes_nothing(mirror: Any, settings: Any) -> None:
    ids = seed_differences(mirror)
    before = snapshot(settings)
    out = StringIO()
    call_command("tds_compare", "--deep", "--sync", "--dry-run", stdout=out)
    text = out.getvalue()
    assert snapshot(settings) == before
    assert "🔄 AUTO-SYNC MODE (DRY RUN)" in text
    assert "📦 ITEMS: FULL_SYNC" in text and "   🧪 Would run: full pull of items (Zoho ids: " in text
    stock_ids = ", ".join(sorted([ids["lost"], ids["new"], ids["stock"]]))
    assert f"   🧪 Would run: stock sync of 3 items (Zoho ids: {stock_ids})" in text
    assert "   🧪 Would run: download 1 images" in text
    assert "🧪 Dry run complete: nothing was written." in text


def test_output_json_holds_the_report(mirror: Any, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    call_command("tds_compare", "--entities", "customers", "vendors", "--output", str(target), stdout=StringIO())
    report = json.loads(target.read_text())
    assert report["mode"] == "quick"
    assert [c["entity"] for c in report["comparisons"]] == ["customers", "vendors"]
    assert report["health"]["band"] == "EXCELLENT"
    assert (Path(tmp_path / "logs" / "tds_auto_sync_summary.txt")).read_text().count("\n") == 1


def test_scheduled_tasks_call_the_services_and_skip_while_a_run_is_going(mirror: Any) -> None:
    from sync import schedules, tasks

    runs = SyncRun.objects.count()
    compare = tasks.scheduled_compare_sync(dry_run=True)
    assert compare["ok"] and "health=100.0 EXCELLENT" in compare["summary"]
    assert tasks.scheduled_incremental_pull(dry_run=True)["ok"]
    assert tasks.scheduled_full_pull(dry_run=True)["ok"]
    assert tasks.scheduled_stock_sync(dry_run=True)["status"] == "completed"
    assert tasks.scheduled_image_sync(dry_run=True)["status"] == "completed"
    assert SyncRun.objects.count() == runs  # dry schedules write no run rows
    with schedules.schedule_lock(schedules.FULL_PULL):
        assert tasks.scheduled_full_pull() == {"skipped": True, "reason": "previous run still going"}
    assert SyncRun.objects.count() == runs


def test_demo_steps_print_the_summaries(mirror: Any) -> None:
    from types import SimpleNamespace

    from sync.management.output.demo_compare import compare_step

    lines: list[str] = []
    ctx = SimpleNamespace(say=lines.append, client=None)
    seed_differences(mirror)
    compare_step("compare and auto-sync", sync=True)(ctx)
    compare_step("compare again")(ctx)
    text = "\n".join(lines)
    assert text.count("📊 QUICK SUMMARY") == 2
    assert "📦 ITEMS: FULL_SYNC" in text and "✅ Auto-sync complete!" in text
    assert ctx.compare_reports[-1].overall_match == 100.0
    assert {r.trigger for r in SyncRun.objects.filter(run_type__startswith="compare")} == {"demo"}
