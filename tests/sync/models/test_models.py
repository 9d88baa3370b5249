"""Constraints and the immutable audit trail."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from sync.models import AuditEntry, ImmutableError, InboxEvent, Product, StockLevel, SyncQueueItem, Warehouse


@pytest.mark.django_db
def test_duplicate_zoho_item_id_is_rejected() -> None:
    Product.objects.create(zoho_item_id="4815000000044208", name="Bags-small")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(zoho_item_id="4815000000044208", name="Bags-small again")


@pytest.mark.django_db
def test_duplicate_inbox_dedupe_key_is_rejected() -> None:
    InboxEvent.objects.create(entity="items", zoho_id="1", dedupe_key="items:1:2025-11-18T02:02:51+0300")
    with pytest.raises(IntegrityError), transaction.atomic():
        InboxEvent.objects.create(entity="items", zoho_id="1", dedupe_key="items:1:2025-11-18T02:02:51+0300")


@pytest.mark.django_db
def test_one_stock_row_per_product_and_warehouse() -> None:
    product = Product.objects.create(zoho_item_id="1", name="Cable")
    warehouse = Warehouse.objects.create(zoho_warehouse_id="9", name="Baghdad")
    StockLevel.objects.create(product=product, warehouse=warehouse, stock_on_hand=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(product=product, warehouse=warehouse, stock_on_hand=6)


@pytest.mark.django_db
def test_queue_priority_must_be_between_1_and_10() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncQueueItem.objects.create(entity="items", zoho_id="1", priority=11)


@pytest.mark.django_db
def test_content_hash_reads_back_whole() -> None:
    digest = "a" * 63 + "b"
    Product.objects.bulk_create([Product(zoho_item_id="h1", name="x", content_hash=digest)])
    assert Product.objects.get(zoho_item_id="h1").content_hash == digest


@pytest.mark.django_db
class TestAuditTrailIsImmutable:
    def entry(self) -> AuditEntry:
        return AuditEntry.objects.create(entity="items", zoho_id="1", action="update", field="rate",
                                         old_value="1.00", new_value="2.00")

    def test_saving_an_existing_entry_raises(self) -> None:
        entry = self.entry()
        entry.new_value = "3.00"
        with pytest.raises(ImmutableError):
            entry.save()
        assert AuditEntry.objects.get(pk=entry.pk).new_value == "2.00"

    def test_deleting_an_entry_raises(self) -> None:
        entry = self.entry()
        with pytest.raises(ImmutableError):
            entry.delete()
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_queryset_update_and_delete_raise(self) -> None:
        self.entry()
        with pytest.raises(ImmutableError):
            AuditEntry.objects.all().update(new_value="x")
        with pytest.raises(ImmutableError):
            AuditEntry.objects.filter(entity="items").delete()
        assert AuditEntry.objects.count() == 1

    def test_bulk_create_is_allowed(self) -> None:
        AuditEntry.objects.bulk_create([AuditEntry(entity="items", zoho_id=str(i), action="create") for i in range(3)])
        assert AuditEntry.objects.count() == 3
