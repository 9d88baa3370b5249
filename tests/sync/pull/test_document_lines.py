"""The lines of credit notes, inventory adjustments, transfer orders and composite items, against the
sandbox over real HTTP: a full sync stores every line Zoho serves, and a line edited in Zoho arrives."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from sync.entities import REGISTRY
from sync.models import CompositeItemComponent, CreditNoteLine, StockAdjustmentLine, TransferOrderLine
from sync.pull.run import pull_all, pull_entity
from tests.sync.helpers import STORE_NAMES, first_id

pytestmark = pytest.mark.django_db(transaction=True)

# entity -> (line model, the sandbox detail's list key, quantity field in Zoho, quantity column)
LINED = {
    "credit_notes": (CreditNoteLine, "line_items", "quantity", "quantity"),
    "stock_adjustments": (StockAdjustmentLine, "line_items", "quantity_adjusted", "quantity_adjusted"),
    "transfer_orders": (TransferOrderLine, "line_items", "quantity_transfer", "quantity_transfer"),
    "composite_items": (CompositeItemComponent, "mapped_items", "quantity", "quantity"),
}


def _store(entity: str) -> str:
    return STORE_NAMES[entity]


def _zoho_lines(sb, entity: str) -> dict[str, tuple[str, Decimal]]:
    """Every line of every record as the sandbox's detail renders it: line id -> (item id, quantity)."""
    _, key, quantity, _ = LINED[entity]
    out = {}
    for record in sb.store.list(_store(entity), detail=True):
        for line in record[key]:
            out[str(line["line_item_id"])] = (str(line["item_id"]), Decimal(str(line[quantity])))
    return out


def _local_lines(entity: str) -> dict[str, tuple[str, Decimal]]:
    model, _, _, column = LINED[entity]
    return {row[0]: (row[1], row[2]) for row in model.objects.values_list("zoho_line_item_id", "zoho_item_id", column)}


@pytest.fixture
def synced(sb, zclient):
    summary = pull_all(client=zclient, full=True)
    assert summary.ok, [(r.entity, r.error) for r in summary.results]
    return summary


def test_a_full_sync_stores_every_line_with_its_product_and_warehouse(sb, synced):
    for entity, (model, _, _, _) in LINED.items():
        zoho = _zoho_lines(sb, entity)
        assert zoho, entity
        assert _local_lines(entity) == zoho, entity
        assert not model.objects.filter(product__isnull=True).exists(), entity
    located = CreditNoteLine.objects.exclude(zoho_location_id="")
    assert located.exists() and not located.filter(warehouse__isnull=True).exists()
    assert all(line.warehouse.zoho_warehouse_id == line.zoho_location_id for line in located)
    assert not StockAdjustmentLine.objects.filter(warehouse__isnull=True).exists()
    note = CreditNoteLine.objects.first()
    assert note is not None and note.rate is not None and note.credit_note.lines.count() >= 1


def _edit_first_line(sb, entity: str, new_quantity: int) -> str:
    """Change the quantity of the first line of the first record in the sandbox; returns the line id."""
    _, key, quantity, _ = LINED[entity]
    zoho_id = first_id(sb, entity)
    record = sb.store.detail(_store(entity), zoho_id)
    lines = copy.deepcopy(record[key])
    lines[0][quantity] = new_quantity
    changes = {key: lines}
    if entity == "stock_adjustments":  # Zoho recomputes the line's value and the adjustment's total
        rate = Decimal(str(lines[0]["item_total"])) / Decimal(str(record[key][0][quantity]))
        lines[0]["item_total"] = float(rate * new_quantity)
        changes["total"] = round(sum(float(line["item_total"]) for line in lines), 2)
    sb.store.edit(_store(entity), zoho_id, changes)
    return str(lines[0]["line_item_id"])


@pytest.mark.parametrize("entity", ["credit_notes", "stock_adjustments", "composite_items"])
def test_a_line_edit_arrives_with_the_next_pass(sb, zclient, synced, entity):
    model, _, _, column = LINED[entity]
    line_id = _edit_first_line(sb, entity, 77)
    result = pull_entity(entity=entity, client=zclient)
    assert result.status == "completed" and result.updated == 1, (entity, result.as_dict())
    assert getattr(model.objects.get(zoho_line_item_id=line_id), column) == Decimal(77)
    assert _local_lines(entity) == _zoho_lines(sb, entity)


def test_a_transfer_line_edit_arrives_with_the_next_full_pass(sb, zclient, synced):
    """Zoho gives transfer orders no version stamp and the list shows no line: an edit that changes only
    a line is invisible to the list, so the full pass (which fetches every transfer's detail) brings it."""
    line_id = _edit_first_line(sb, "transfer_orders", 55)
    quiet = pull_entity(entity="transfer_orders", client=zclient)
    assert quiet.status == "completed" and quiet.updated == 0 and quiet.api_calls == 1  # the list page only
    full = pull_entity(entity="transfer_orders", full=True, client=zclient)
    assert full.updated == 1
    assert TransferOrderLine.objects.get(zoho_line_item_id=line_id).quantity_transfer == Decimal(55)


def test_unchanged_stampless_documents_cost_no_detail_call(sb, zclient, synced):
    for entity in ("stock_adjustments", "transfer_orders"):
        again = pull_entity(entity=entity, client=zclient)
        assert (again.status, again.updated, again.api_calls) == ("completed", 0, 1), entity
        assert again.unchanged == REGISTRY[entity].model.objects.count(), entity


def test_a_deep_line_compare_reports_a_planted_line_difference(sb, zclient, synced):
    from sync.compare.recommend import RECONCILIATION
    from sync.compare.run import compare_run

    entities = [*LINED, "invoices"]
    clean = compare_run(entities=entities, deep=True, lines=True, client=zclient)
    assert all(c.in_sync for c in clean.comparisons), [c.to_dict() for c in clean.comparisons if not c.in_sync]
    planted = {}
    for entity, (model, _, _, column) in LINED.items():
        line = model.objects.order_by("id").first()
        setattr(line, column, getattr(line, column) + 1)
        line.save()
        planted[entity] = getattr(line, REGISTRY[entity].lines.parent_field)
    CreditNoteLine.objects.filter(credit_note=planted["credit_notes"]).exclude(
        id=CreditNoteLine.objects.filter(credit_note=planted["credit_notes"]).order_by("id").first().id).delete()
    report = compare_run(entities=entities, deep=True, lines=True, client=zclient)
    by_entity = {c.entity: c for c in report.comparisons}
    for entity, parent in planted.items():
        zoho_id = getattr(parent, REGISTRY[entity].model_id_field)
        assert by_entity[entity].changed == [zoho_id], entity
        assert not by_entity[entity].in_sync
    assert by_entity["invoices"].in_sync
    actions = {r.entity: r.action for r in report.recommendations}
    assert {actions[e] for e in LINED} == {RECONCILIATION}
    # Without --lines the deep compare costs list pages only and sees no line
    assert all(c.in_sync for c in compare_run(entities=list(LINED), deep=True, client=zclient).comparisons)


def test_the_compare_command_refuses_lines_without_deep():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="use it with --deep"):
        call_command("tds_compare", "--lines")


def test_each_line_table_has_a_list_page_and_shows_on_its_document(sb, synced, staff_client):
    from django.urls import reverse

    for entity, (model, _, _, _) in LINED.items():
        line = model.objects.select_related("product").first()
        listing = staff_client.get(reverse(f"admin:sync_{model._meta.model_name}_changelist"))
        assert listing.status_code == 200 and line.zoho_line_item_id in listing.content.decode(), entity
        parent = getattr(line, REGISTRY[entity].lines.parent_field)
        page = staff_client.get(reverse(f"admin:sync_{parent._meta.model_name}_change", args=[parent.pk]))
        assert page.status_code == 200 and line.zoho_line_item_id in page.content.decode(), entity


def test_a_detail_without_a_stamp_keeps_the_listed_one():
    """Zoho documents last_modified_time in the credit note list but not in its detail (updated_time there):
    the listed stamp names the version fetched, so the next pass does not fetch it again."""
    from types import SimpleNamespace

    from sync.pull.details import with_details

    listed = {"creditnote_id": "4611000000100001", "last_modified_time": "2026-01-02T03:04:05+0300"}
    detail = {"creditnote_id": "4611000000100001", "line_items": []}
    client = SimpleNamespace(get=lambda api, path, params=None: {"code": 0, "creditnote": dict(detail)})
    batch = with_details(spec=REGISTRY["credit_notes"], records=[listed], client=client)
    assert batch.records == [{**detail, "last_modified_time": listed["last_modified_time"]}]
