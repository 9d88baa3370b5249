"""The Odoo target end to end: Zoho sandbox -> tds pull -> tds_odoo_sync -> fake Odoo, over real
HTTP, in each version profile (17 and 18 over XML-RPC, 19 over JSON-2)."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from odoo.models import OdooProductLink
from sync.models import Product, SyncRun
from tests.odoo.helpers import by_sku, iqd, records_written, templates, writes

pytestmark = pytest.mark.django_db(transaction=True)


def sync(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    call_command("tds_odoo_sync", "--once", *args)
    return capsys.readouterr().out


def test_first_sync_creates_exactly_one_product_per_item_with_converted_prices_and_units(mirror, odoo, capsys):
    out = sync(capsys)
    products = Product.objects.all()
    odoo_products = by_sku(odoo)
    assert len(templates(odoo)) == products.count() == 40 == OdooProductLink.objects.count()
    for product in products:
        pushed = odoo_products[product.sku]
        assert pushed["name"] == product.name
        assert pushed["list_price"] == iqd(product.unit_price)
        assert pushed["standard_price"] == (iqd(product.cost_price) if product.cost_price is not None else 0)
        assert pushed["active"] is product.is_active
        expected_unit = "Units" if product.unit == "pcs" else None
        if expected_unit:
            assert pushed["uom_id"][1] == expected_unit
    assert "created 40" in out and "'box'" in out  # Odoo has no unit "box": reported, not invented
    if odoo.app.profile.major == 19:
        assert odoo.app.counters()["calls"].get("product.template.create") == 1
    assert odoo.app.profile.json2 == (odoo.app.profile.major >= 19)


def test_rerun_writes_nothing_and_an_edit_in_zoho_updates_exactly_that_product(zsb, mirror, odoo, pull, capsys):
    sync(capsys)
    odoo.app.reset_counters()
    assert "unchanged 40" in sync(capsys) and writes(odoo) == 0
    item = zsb.store.list("items")[3]
    zsb.store.edit("items", item["item_id"], {"rate": 12.345, "name": "Renamed in Zoho"})
    pull()
    out = sync(capsys)
    assert "updated 1 " in out and writes(odoo) == 1 and records_written(odoo) == 1
    pushed = by_sku(odoo)[item["sku"]]
    assert (pushed["name"], pushed["list_price"]) == ("Renamed in Zoho", 18518.0)  # 12.345 x 1500 half-up


def test_an_inactive_or_deleted_zoho_item_archives_its_odoo_product(zsb, mirror, odoo, pull, capsys):
    sync(capsys)
    active = [i for i in zsb.store.list("items") if i["status"] == "active"]
    made_inactive, deleted = active[0], active[1]
    zsb.store.edit("items", made_inactive["item_id"], {"status": "inactive"})
    zsb.store.delete("items", deleted["item_id"])
    pull(full=True)  # the full pass is what notices deletions
    odoo.app.reset_counters()
    out = sync(capsys)
    products = by_sku(odoo)
    assert products[made_inactive["sku"]]["active"] is False
    assert products[deleted["sku"]]["active"] is False
    assert "archived 2" in out and writes(odoo) == 1  # the same change for both: one write
    assert len(templates(odoo)) == 40  # archived, never deleted or duplicated


def test_an_odoo_product_with_the_same_sku_is_adopted_not_duplicated(zsb, mirror, odoo, capsys):
    item = zsb.store.list("items")[0]
    existing = odoo.db.create("product.template", [{"name": "Made by hand in Odoo", "default_code": item["sku"]}])[0]
    out = sync(capsys)
    assert [p["id"] for p in templates(odoo, default_code=item["sku"])] == [existing]
    assert by_sku(odoo)[item["sku"]]["name"] == item["name"]
    link = OdooProductLink.objects.get(zoho_item_id=item["item_id"])
    assert (link.odoo_template_id, link.adopted) == (existing, True)
    assert "adopted by SKU 1" in out and len(templates(odoo)) == 40


def test_a_sku_on_two_odoo_products_is_reported_for_review_not_guessed(zsb, mirror, odoo, capsys):
    sku = zsb.store.list("items")[0]["sku"]
    odoo.db.create("product.template", [{"name": "one", "default_code": sku}, {"name": "two", "default_code": sku}])
    out = sync(capsys)
    assert f"SKU conflict, for review: {sku}" in out
    assert len(templates(odoo, default_code=sku)) == 2 and len(templates(odoo)) == 41
    assert SyncRun.objects.get(run_type="odoo").status == "partial"


def test_a_dry_run_writes_nothing_on_either_side(mirror, odoo, capsys):
    runs = SyncRun.objects.count()
    out = sync(capsys, "--dry-run")
    assert "DRY RUN" in out and "create" in out
    assert writes(odoo) == 0 and templates(odoo) == []
    assert OdooProductLink.objects.count() == 0 and SyncRun.objects.count() == runs


def test_counts_match_and_status_says_so(mirror, odoo, capsys):
    sync(capsys)
    capsys.readouterr()
    call_command("tds_odoo_sync", "status")
    out = capsys.readouterr().out
    active = Product.objects.filter(is_active=True, deleted_in_zoho_at=None).count()
    assert f"Zoho count: {active}\n" in out and f"Odoo count: {active}\n" in out and "match: yes" in out
    assert "products synced: 40" in out and "success rate: 100.0 %" in out and "Odoo sync: stopped" in out
    run = SyncRun.objects.get(run_type="odoo")
    assert (run.entity, run.status, run.created) == ("products", "completed", 40)
