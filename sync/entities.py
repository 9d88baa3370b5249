"""ONE registry of the mirrored Zoho entities: where each is listed, how it is keyed,
how it is pulled incrementally, which table and mapper it uses and what it depends on.

A new entity is an entry here and a mapper (DESIGN.md habit 1). Zoho supports the
``last_modified_time`` list filter only on items, composite items and the Books
documents (invoices, bills, credit notes, sales/purchase orders); contacts can be
sorted by last_modified_time descending and read until the watermark; everything
else (price books, warehouses, payments, adjustments, transfers) is a full refresh.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from sync.mappers import contacts, documents, items

ALIASES = {"product": "items", "products": "items"}
# Known names handled by other services (not pulled as a list of their own here).
DERIVED = ("stock", "images")


class UnknownEntity(ValueError):
    pass


@dataclass(frozen=True)
class ForeignKey:
    """Resolve ``field`` (a model FK) from the row's ``source`` Zoho id via ``model.key``."""

    field: str
    model: str
    key: str
    source: str


@dataclass(frozen=True)
class Lines:
    """Child rows replaced whenever the parent document changes."""

    model: str
    parent_field: str
    key: str
    mapper: Callable[[dict[str, Any]], list[dict[str, Any]] | None]


@dataclass(frozen=True)
class EntitySpec:
    name: str
    api: str
    path: str
    list_key: str
    id_field: str
    model_name: str
    model_id_field: str
    mapper: Callable[[dict[str, Any]], dict[str, Any]]
    cursor_field: str | None = None       # list filter support; None = full refresh
    sort_desc_stop: bool = False          # no filter, but sortable: read newest first, stop at the watermark
    params: dict[str, str] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    priority: int = 5
    detail_lines: bool = False            # lists may lack line_items: fetch detail for new/changed records
    detail_key: str = ""                  # the detail envelope's key ("invoice")
    lines: Lines | None = None
    fks: tuple[ForeignKey, ...] = ()

    @property
    def model(self) -> Any:
        return apps.get_model("sync", self.model_name)

    @property
    def incremental(self) -> bool:
        return bool(self.cursor_field) or self.sort_desc_stop

    def detail_path(self, zoho_id: str) -> str:
        return f"{self.path}/{zoho_id}"


def _doc_lines(model: str, parent: str) -> Lines:
    return Lines(model=model, parent_field=parent, key="zoho_line_item_id", mapper=documents.line_items)


CUSTOMER = (ForeignKey("customer", "Customer", "zoho_contact_id", "zoho_customer_id"),)
VENDOR = (ForeignKey("vendor", "Vendor", "zoho_contact_id", "zoho_vendor_id"),)
LMT = "last_modified_time"

_SPECS = (
    EntitySpec("warehouses", "inventory", "/locations", "locations", "location_id", "Warehouse",
               "zoho_warehouse_id", items.map_warehouse, priority=1),
    EntitySpec("items", "inventory", "/items", "items", "item_id", "Product", "zoho_item_id",
               items.map_item, cursor_field=LMT, depends_on=("warehouses",), priority=2),
    EntitySpec("composite_items", "inventory", "/compositeitems", "composite_items", "composite_item_id",
               "CompositeItem", "zoho_composite_item_id", items.map_composite_item, cursor_field=LMT,
               depends_on=("items",), priority=3),
    EntitySpec("price_lists", "inventory", "/pricebooks", "pricebooks", "pricebook_id", "PriceList",
               "zoho_pricebook_id", items.map_price_list, depends_on=("items",), priority=3,
               lines=Lines("PriceListItem", "price_list", "zoho_pricebook_item_id", items.price_list_items)),
    EntitySpec("customers", "books", "/contacts", "contacts", "contact_id", "Customer", "zoho_contact_id",
               contacts.map_customer, sort_desc_stop=True, params={"contact_type": "customer"}, priority=3),
    EntitySpec("vendors", "books", "/contacts", "contacts", "contact_id", "Vendor", "zoho_contact_id",
               contacts.map_vendor, sort_desc_stop=True, params={"contact_type": "vendor"}, priority=3),
    EntitySpec("invoices", "books", "/invoices", "invoices", "invoice_id", "Invoice", "zoho_invoice_id",
               documents.map_invoice, cursor_field=LMT, depends_on=("customers", "items"), priority=4,
               detail_lines=True, detail_key="invoice", lines=_doc_lines("InvoiceLine", "invoice"), fks=CUSTOMER),
    EntitySpec("bills", "books", "/bills", "bills", "bill_id", "Bill", "zoho_bill_id", documents.map_bill,
               cursor_field=LMT, depends_on=("vendors", "items"), priority=4, detail_lines=True, detail_key="bill",
               lines=_doc_lines("BillLine", "bill"), fks=VENDOR),
    EntitySpec("sales_orders", "books", "/salesorders", "salesorders", "salesorder_id", "SalesOrder",
               "zoho_salesorder_id", documents.map_sales_order, cursor_field=LMT,
               depends_on=("customers", "items"), priority=4, detail_lines=True, detail_key="salesorder",
               lines=_doc_lines("SalesOrderLine", "sales_order"), fks=CUSTOMER),
    EntitySpec("purchase_orders", "books", "/purchaseorders", "purchaseorders", "purchaseorder_id",
               "PurchaseOrder", "zoho_purchaseorder_id", documents.map_purchase_order, cursor_field=LMT,
               depends_on=("vendors", "items"), priority=4, detail_lines=True, detail_key="purchaseorder",
               lines=_doc_lines("PurchaseOrderLine", "purchase_order"), fks=VENDOR),
    EntitySpec("credit_notes", "books", "/creditnotes", "creditnotes", "creditnote_id", "CreditNote",
               "zoho_creditnote_id", documents.map_credit_note, cursor_field=LMT,
               depends_on=("customers",), priority=5, fks=CUSTOMER),
    EntitySpec("customer_payments", "books", "/customerpayments", "customerpayments", "payment_id",
               "CustomerPayment", "zoho_payment_id", documents.map_customer_payment,
               depends_on=("customers", "invoices"), priority=5, fks=CUSTOMER),
    EntitySpec("vendor_payments", "books", "/vendorpayments", "vendorpayments", "payment_id", "VendorPayment",
               "zoho_payment_id", documents.map_vendor_payment, depends_on=("vendors", "bills"), priority=5,
               fks=VENDOR),
    EntitySpec("stock_adjustments", "inventory", "/inventoryadjustments", "inventory_adjustments",
               "inventory_adjustment_id", "StockAdjustment", "zoho_inventory_adjustment_id",
               documents.map_stock_adjustment, depends_on=("items", "warehouses"), priority=6),
    EntitySpec("transfer_orders", "inventory", "/transferorders", "transfer_orders", "transfer_order_id",
               "TransferOrder", "zoho_transfer_order_id", documents.map_transfer_order,
               depends_on=("items", "warehouses"), priority=6,
               fks=(ForeignKey("from_warehouse", "Warehouse", "zoho_warehouse_id", "zoho_from_location_id"),
                    ForeignKey("to_warehouse", "Warehouse", "zoho_warehouse_id", "zoho_to_location_id"))),
)

REGISTRY: dict[str, EntitySpec] = {spec.name: spec for spec in _SPECS}


def valid_names() -> list[str]:
    return [*REGISTRY, *DERIVED]


def canonical(name: str) -> str:
    """Command-line name -> canonical name; unknown -> UnknownEntity listing the valid ones."""
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in REGISTRY and key not in DERIVED:
        raise UnknownEntity(f"unknown entity {name!r}; valid: {', '.join(valid_names())} "
                            f"(aliases: {', '.join(ALIASES)})")
    return key


def get_spec(name: str) -> EntitySpec:
    key = canonical(name)
    if key not in REGISTRY:
        raise UnknownEntity(f"{key!r} is not pulled as a list of its own (see tds_sync_stock / tds_sync_images)")
    return REGISTRY[key]


def resolve_entities(names: Iterable[str] | None) -> list[str]:
    """Canonical names in dependency order (then priority); None or empty means every pulled entity."""
    wanted = {canonical(n) for n in names} if names else set(REGISTRY)
    return [name for name in topological_order() if name in wanted] + [d for d in DERIVED if d in wanted]


def topological_order() -> list[str]:
    done: list[str] = []
    pending = sorted(REGISTRY.values(), key=lambda s: (s.priority, s.name))
    while pending:
        ready = next(s for s in pending if all(d in done for d in s.depends_on))
        done.append(ready.name)
        pending.remove(ready)
    return done
