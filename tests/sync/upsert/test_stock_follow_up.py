"""Stock levels follow an item upsert in one place (the upsert): every way items arrive (pull,
queue worker, stock sync) gets the same decision, and no other module writes stock levels."""
from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from sync.models import StockLevel
from sync.upsert.records import upsert_records
from tests.sync.upsert.test_upsert import item

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _warehouses(on_hand: int) -> list[dict]:
    return [{"warehouse_id": "4600000000901", "warehouse_name": "Main", "warehouse_stock_on_hand": on_hand,
             "warehouse_available_for_sale_stock": on_hand, "warehouse_committed_stock": 0}]


def test_records_carrying_their_stock_write_it_and_the_others_are_fetched_when_changed() -> None:
    fetched: list[list[str]] = []

    def fetch(ids: list[str]) -> int:
        fetched.append(ids)
        return 0

    result = upsert_records(entity="items", records=[item("11", warehouses=_warehouses(5)), item("12")],
                            fetch_details=fetch)
    assert result.stock_rows == 1 and fetched == [["12"]]  # 11 carried its stock; 12 is a list record
    assert StockLevel.objects.get().stock_on_hand == Decimal(5)
    # The same records again: nothing changed, nothing fetched, the level rewritten only if it differs.
    again = upsert_records(entity="items", records=[item("11", warehouses=_warehouses(5)), item("12")],
                           fetch_details=fetch)
    assert (again.stock_rows, fetched) == (0, [["12"]])


def test_a_stale_record_does_not_bring_its_old_stock() -> None:
    upsert_records(entity="items", records=[item("21", warehouses=_warehouses(9))])
    older = item("21", modified="2025-11-17T02:02:51+0300", warehouses=_warehouses(1))
    assert upsert_records(entity="items", records=[older]).stock_rows == 0
    assert StockLevel.objects.get().stock_on_hand == Decimal(9)


def test_a_dry_run_counts_the_levels_it_would_write_and_writes_none() -> None:
    upsert_records(entity="items", records=[item("31", warehouses=_warehouses(3))])
    changed = item("31", modified="2025-11-19T02:02:51+0300", warehouses=_warehouses(4))
    result = upsert_records(entity="items", records=[changed], dry_run=True,
                            fetch_details=lambda ids: pytest.fail("a dry run fetches nothing"))
    assert result.stock_rows == 1 and StockLevel.objects.get().stock_on_hand == Decimal(3)


def test_only_the_upsert_decides_and_only_the_detail_fetchers_write() -> None:
    # The pull's fetcher writes the levels of the details it fetched in the background.
    callers = []
    for path in (ROOT / "sync").rglob("*.py"):
        if "migrations" in path.parts or path.parent.name == "stock":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            if isinstance(node, ast.Name | ast.Attribute) and name in ("stock_levels_write", "levels_follow_up"):
                callers.append(str(path.relative_to(ROOT)))
    assert sorted(set(callers)) == ["sync/pull/run.py", "sync/upsert/records.py"]
