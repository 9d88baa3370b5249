"""The compare engine on a fake client: deep record-level results, quick counts by page probing, API cost."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.compare.run import compare_run
from sync.compare.targets import Target
from sync.compare.zoho_counts import Source
from sync.entities import DERIVED
from sync.models import Product, SyncCursor
from tests.compare.fakes import FakeClient

pytestmark = pytest.mark.django_db
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def zoho_item(i: int, *, minutes: int = 0, image: str = "", stock: object = "") -> dict:
    stamp = (BASE + timedelta(minutes=i + minutes)).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    return {"item_id": str(i), "name": f"Item {i}", "last_modified_time": stamp, "image_document_id": image,
            "image_name": f"{image}.jpg" if image else "", "image_type": "jpg" if image else "",
            "stock_on_hand": stock}


def local_product(i: int, **extra: object) -> Product:
    return Product(zoho_item_id=str(i), name=f"Item {i}", zoho_last_modified=BASE + timedelta(minutes=i), **extra)


def targets(*kinds: str) -> list[Target]:
    source = Source(api="inventory", path="/items", list_key="items")
    return [Target(entity={"records": "items"}.get(k, k), kind=k, source=source, id_field="item_id", model=Product,
                   model_id_field="zoho_item_id", cursor_entity="items",
                   compare=DERIVED[k].compare if k in DERIVED else "") for k in kinds]


@pytest.fixture
def seeded() -> FakeClient:
    """450 items in Zoho; locally: one missing, one stale, one extra, one older than the cursor."""
    zoho = [zoho_item(i) for i in range(1, 451)]
    zoho[9] = zoho_item(10, minutes=600)  # edited in Zoho after the last pull: stale
    zoho.append(zoho_item(451, minutes=600))  # created in Zoho after the last pull: missing locally
    Product.objects.bulk_create([local_product(i) for i in range(1, 451) if i != 20])  # 20: lost locally
    Product.objects.bulk_create([local_product(999)])  # local only: missing in Zoho
    SyncCursor.objects.create(entity="items", watermark=BASE + timedelta(minutes=500), last_full_run_at=BASE)
    return FakeClient({"/items": zoho})


def test_deep_finds_every_difference_from_list_pages_only(seeded: FakeClient) -> None:
    report = compare_run(deep=True, client=seeded, targets=targets("records"))
    items = report.comparisons[0]
    assert (items.zoho_count, items.local_count, items.difference) == (451, 450, 1)
    assert (items.missing_local, items.missing_in_zoho, items.stale) == (["20", "451"], ["999"], ["10"])
    assert items.behind_cursor == ["20"]
    assert items.identical == 448
    assert items.match_pct == pytest.approx(100 * 448 / 452)
    assert report.api_calls == 3  # 451 records = 3 list pages of 200
    assert report.api_calls_by_endpoint == {"GET /inventory/items": 3}
    rec = report.recommendations[0]
    assert (rec.action, rec.priority) == ("FULL_SYNC", 9)


def test_quick_counts_probe_pages_instead_of_listing(seeded: FakeClient) -> None:
    seeded.lists["/items"] = seeded.lists["/items"] * 7  # 3,157 records = 16 pages; 450 local (3 pages)
    report = compare_run(deep=False, client=seeded, targets=targets("records"))
    items = report.comparisons[0]
    assert (items.zoho_count, items.local_count, items.deep) == (3157, 450, False)
    assert report.api_calls == 8  # page 1, then from page 3 (the local count's last): 4, 6, 10, 18, 14, 16
    assert report.recommendations[0].action == "INCREMENTAL_SYNC"


@pytest.mark.parametrize(("records", "hint", "calls"), [
    (150, 0, 1), (400, 400, 2), (10_000, 10_000, 2), (10_000, 9_990, 2), (10_050, 10_000, 3),
    (9_000, 10_000, 6), (10_000, 0, 13), (1_353, 0, 6),
])
def test_counts_take_two_calls_when_the_local_count_is_right(records: int, hint: int, calls: int) -> None:
    from sync.compare.zoho_counts import ZohoSide

    client = FakeClient({"/items": [{"item_id": str(i)} for i in range(records)]})
    assert ZohoSide(client=client).count(targets("records")[0].source, hint=hint) == records
    assert client.stats.total == calls


def test_stock_and_images_come_from_the_same_item_pages() -> None:
    zoho = [zoho_item(1, image="d1", stock=5), zoho_item(2, image="d2", stock=7.5), zoho_item(3, stock="")]
    Product.objects.bulk_create([
        local_product(1, image_source_key="d1|d1.jpg|jpg", image_url="/m/1.jpg", stock_quantity=5),
        local_product(2, image_source_key="old|old.jpg|jpg", image_url="/m/2.jpg", stock_quantity=7),
        local_product(3, image_source_key="x|x.jpg|jpg", image_url="/m/3.jpg"),
    ])
    report = compare_run(deep=False, client=FakeClient({"/items": zoho}), targets=targets("records", "stock", "images"))
    items, stock, images = report.comparisons
    assert report.api_calls == 1
    assert items.deep and items.in_sync
    assert (stock.zoho_count, stock.local_count, stock.stale, stock.identical) == (2, 2, ["2"], 1)
    assert (images.changed, images.missing_in_zoho, images.identical) == (["2"], ["3"], 1)
    assert [r.action for r in report.recommendations] == ["NO_SYNC_NEEDED", "INCREMENTAL_SYNC", "DOWNLOAD_MISSING"]


def test_items_count_excludes_records_marked_deleted(seeded: FakeClient) -> None:
    Product.objects.filter(zoho_item_id="999").update(is_active=False, deleted_in_zoho_at=BASE)
    items = compare_run(deep=True, client=seeded, targets=targets("records")).comparisons[0]
    assert items.missing_in_zoho == []
    assert items.local_count == 449


def test_a_never_pulled_mirror_is_critical_and_needs_a_full_pull() -> None:
    report = compare_run(deep=True, client=FakeClient({"/items": [zoho_item(i) for i in range(1, 11)]}),
                         targets=targets("records"))
    assert (report.health.score, report.health.band) == (0.0, "CRITICAL")
    rec = report.recommendations[0]
    assert (rec.action, rec.priority, rec.reason) == ("FULL_SYNC", 10, "never pulled: no cursor yet")


def test_a_matching_mirror_with_a_failing_engine_is_a_warning() -> None:
    from django.utils import timezone

    from sync.models import DeadLetter, SyncRun

    Product.objects.bulk_create([local_product(i) for i in range(1, 11)])
    SyncCursor.objects.create(entity="items", watermark=BASE, last_full_run_at=timezone.now())
    SyncRun.objects.bulk_create([SyncRun(status=SyncRun.Status.FAILED) for _ in range(2)])
    DeadLetter.objects.bulk_create([DeadLetter(entity="items", error_class="permanent", error_message="x")] * 3)
    report = compare_run(deep=True, client=FakeClient({"/items": [zoho_item(i) for i in range(1, 11)]}),
                         targets=targets("records"))
    assert report.overall_match == 100.0
    assert (report.health.score, report.health.band) == (82.0, "WARNING")  # 100 - 2*6 - 3*2
