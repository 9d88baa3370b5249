"""ONE registry of the mirrored Zoho entities: where each is listed, how it is keyed,
how it is pulled incrementally, which table and mapper it uses and what it depends on.

Every per-entity fact lives here: pull order, queue urgency, webhook body keys and routes,
compare target, command-line names. A new entity is an entry here and a mapper; the system
check in sync/checks.py refuses to start with an incomplete entry. Zoho supports the
``last_modified_time`` list filter, by its OpenAPI files, only on items, composite items, bills,
sales and purchase orders and vendor payments; everything else (warehouses, price books,
contacts, invoices, credit notes, customer payments, adjustments, transfers) is a full listing
on every pass. Each spec records the list parameters Zoho documents (``documented``,
``sort_columns``); the pull sends no other.

Pull order plans Zoho's calls: every entity read from list pages alone comes before the ones that
cost a call per record (documents whose lines need a detail call, images), so when Zoho's
tokens or quota run out part-way, the cheap entities are already complete and only per-record
work waits for the next run (``resolve_entities``; compare --sync follows the same rule).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps

from sync.mappers import contacts, documents, items
from zoho.webhooks import BodyKey, Vocabulary

ALIASES = {"product": "items", "products": "items"}


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
    quantity: str = "quantity"            # the column compare sums per document


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
    # The list call's query parameters Zoho's OpenAPI file documents for this endpoint (page, filter and sort
    # ones; organization_id goes with every call): the pull sends no other.
    documented: frozenset[str] = frozenset()
    sort_columns: tuple[str, ...] = ()    # the sort_column values documented for this list
    cursor_field: str | None = None       # list filter support; None = full refresh
    sort_desc_stop: bool = False          # no filter, but sortable: read newest first, stop at the watermark
    params: dict[str, str] = field(default_factory=dict)
    # Zoho documents no filter for this split of a shared list: keep the records whose field has this value.
    keep: tuple[str, str] | None = None
    stamped: bool = True                  # Zoho documents a last_modified_time on its records
    depends_on: tuple[str, ...] = ()
    pull_order: int = 5                   # among entities whose dependencies are met, lower is pulled first
    queue_urgency: int = 0                # queued webhook work: 1 is applied first (0 = missing, a start-up error)
    webhook_keys: dict[str, str] = field(default_factory=dict)  # Zoho's webhook body key -> the record's id field
    webhook_routes: tuple[str, ...] = ()  # /api/tds/webhooks/<route> routes that accept this entity
    # A body key of another entity that means this one when a field has a value:
    # ("contact", "contact_type", "vendor") - a "contact" body whose contact_type is "vendor".
    webhook_claims: tuple[str, str, str] | None = None
    stock_levels: bool = False            # its records carry per-warehouse stock: changed ones write levels
    detail_lines: bool = False            # lists may lack line_items: fetch detail for new/changed records
    detail_key: str = ""                  # the detail envelope's key ("invoice")
    lines: Lines | None = None
    fks: tuple[ForeignKey, ...] = ()

    @property
    def model(self) -> Any:
        return apps.get_model("sync", self.model_name)

    @property
    def paged(self) -> bool:
        return "page" in self.documented

    @property
    def incremental(self) -> bool:
        return bool(self.cursor_field) or self.sort_desc_stop

    def detail_path(self, zoho_id: str) -> str:
        return f"{self.path}/{zoho_id}"

    @property
    def reads(self) -> str:
        """The pulled entity whose records this name's queue items and compare target carry: itself."""
        return self.name

    @property
    def per_record_calls(self) -> bool:
        """Costs a Zoho call per new or changed record (a detail call for its lines)."""
        return self.detail_lines


@dataclass(frozen=True)
class DerivedSpec:
    """A name that is not a Zoho list of its own: read from another entity's records (stock on hand,
    image identity), applied through that entity's upsert, synced by its own service. Everything
    that treats the name differently from a pulled entity reads it here:

    ``runner``     dotted path of function(*, dry_run, trigger, client=None, run_id="", item_ids=None,
                   repair=False) -> RunResult: the service as a pass of the pull, a queued run, and
                   compare's action (``item_ids`` the records compare found different; ``repair``
                   rewrites them even when Zoho's record did not change)
    ``compare``    dotted path of function(target, zoho) -> EntityComparison, record by record
    ``recommend``  dotted path of function(comparison) -> Recommendation when they differ
    """

    name: str
    reads: str
    queue_urgency: int
    runner: str
    compare: str
    recommend: str
    run_type: str                         # its runs in the ledger (a sync.models.RunType value)
    label: str                            # how the dashboard names a run of it
    webhook_routes: tuple[str, ...] = ()
    after: str = ""                       # listed right after this entity in names and compare's 'all'
    per_record_calls: bool = False        # one Zoho call per record (images): planned after list-only work
    match_weight: float = 1.0             # weight of its match percentage in compare's health score


def _doc_lines(model: str, parent: str) -> Lines:
    return Lines(model=model, parent_field=parent, key="zoho_line_item_id", mapper=documents.line_items)


# The documented list parameters (Books documents from books-*.yml; where Zoho's Books file lists no
# parameters for a path, the Inventory file of the same path, whose documents the Books ones mirror).
PAGED = frozenset({"page", "per_page"})
SORTED = PAGED | {"sort_column", "sort_order"}
ITEM_SORTS = ("name", "sku", "rate", "purchase_rate", "created_time", "last_modified_time", "reorder_level")
CONTACT_SORTS = ("contact_name", "first_name", "last_name", "email", "outstanding_receivable_amount",
                 "created_time", "last_modified_time")

CUSTOMER = (ForeignKey("customer", "Customer", "zoho_contact_id", "zoho_customer_id"),)
VENDOR = (ForeignKey("vendor", "Vendor", "zoho_contact_id", "zoho_vendor_id"),)
LMT = "last_modified_time"

# Queue urgency (1 first): orders and invoices, then contacts and documents, products, stock, images.
# The TDS_QUEUE_PRIORITIES tunable (sync/config/) overrides it per entity at run time.
_SPECS = (
    EntitySpec("warehouses", "inventory", "/locations", "locations", "location_id", "Warehouse",
               "zoho_warehouse_id", items.map_warehouse,
               documented=frozenset({"is_hierarchical_response", "location_type"}), pull_order=1, queue_urgency=5,
               # Zoho's legacy warehouses carry warehouse_id; locations carry location_id.
               webhook_keys={"warehouse": "warehouse_id", "location": "location_id"}),
    EntitySpec("items", "inventory", "/items", "items", "item_id", "Product", "zoho_item_id",
               items.map_item, documented=SORTED | {LMT, "filter_by"},
               sort_columns=(*ITEM_SORTS, "stock_on_hand"), cursor_field=LMT, depends_on=("warehouses",), pull_order=2,
               queue_urgency=4,
               webhook_keys={"item": "item_id"}, webhook_routes=("products", "items"), stock_levels=True),
    EntitySpec("composite_items", "inventory", "/compositeitems", "composite_items", "composite_item_id",
               "CompositeItem", "zoho_composite_item_id", items.map_composite_item,
               documented=SORTED | {LMT, "filter_by"}, sort_columns=(*ITEM_SORTS, "tax_name"), cursor_field=LMT,
               depends_on=("items",), pull_order=3, queue_urgency=4,
               webhook_keys={"composite_item": "composite_item_id"}, webhook_routes=("products", "items"),
               detail_lines=True, detail_key="composite_item",
               lines=Lines("CompositeItemComponent", "composite_item", "zoho_line_item_id",
                           documents.composite_components)),
    EntitySpec("price_lists", "inventory", "/pricebooks", "pricebooks", "pricebook_id", "PriceList",
               "zoho_pricebook_id", items.map_price_list, documented=PAGED | {"filter_by"}, depends_on=("items",),
               pull_order=3,
               queue_urgency=5,
               webhook_keys={"pricebook": "pricebook_id"},
               lines=Lines("PriceListItem", "price_list", "zoho_pricebook_item_id", items.price_list_items,
                           quantity="rate")),
    EntitySpec("customers", "books", "/contacts", "contacts", "contact_id", "Customer", "zoho_contact_id",
               contacts.map_customer, documented=PAGED | {"sort_column", "filter_by"}, sort_columns=CONTACT_SORTS,
               keep=("contact_type", "customer"), pull_order=3,
               queue_urgency=3, webhook_keys={"contact": "contact_id", "customer": "contact_id"},
               webhook_routes=("customers",)),
    EntitySpec("vendors", "books", "/contacts", "contacts", "contact_id", "Vendor", "zoho_contact_id",
               contacts.map_vendor, documented=PAGED | {"sort_column", "filter_by"}, sort_columns=CONTACT_SORTS,
               keep=("contact_type", "vendor"), pull_order=3,
               queue_urgency=3, webhook_keys={"vendor": "contact_id"}, webhook_routes=("customers",),
               webhook_claims=("contact", "contact_type", "vendor")),
    EntitySpec("invoices", "books", "/invoices", "invoices", "invoice_id", "Invoice", "zoho_invoice_id",
               documents.map_invoice, documented=PAGED | {"sort_column", "filter_by"},
               sort_columns=("customer_name", "invoice_number", "date", "due_date", "total", "balance", "created_time"),
               depends_on=("customers", "items"), pull_order=4,
               queue_urgency=1, webhook_keys={"invoice": "invoice_id"}, webhook_routes=("invoices",),
               detail_lines=True, detail_key="invoice", lines=_doc_lines("InvoiceLine", "invoice"), fks=CUSTOMER),
    EntitySpec("bills", "books", "/bills", "bills", "bill_id", "Bill", "zoho_bill_id", documents.map_bill,
               documented=SORTED | {LMT, "filter_by"},
               sort_columns=("vendor_name", "bill_number", "date", "due_date", "total", "balance", "created_time"),
               cursor_field=LMT, depends_on=("vendors", "items"), pull_order=4, queue_urgency=2,
               webhook_keys={"bill": "bill_id"}, detail_lines=True, detail_key="bill",
               lines=_doc_lines("BillLine", "bill"), fks=VENDOR),
    EntitySpec("sales_orders", "books", "/salesorders", "salesorders", "salesorder_id", "SalesOrder",
               "zoho_salesorder_id", documents.map_sales_order, documented=PAGED | {"sort_column", LMT, "filter_by"},
               sort_columns=("customer_name", "salesorder_number", "shipment_date", LMT, "reference_number", "total",
                             "date", "created_time"), cursor_field=LMT,
               depends_on=("customers", "items"), pull_order=4, queue_urgency=1,
               webhook_keys={"salesorder": "salesorder_id"}, webhook_routes=("orders",), detail_lines=True,
               detail_key="salesorder", lines=_doc_lines("SalesOrderLine", "sales_order"), fks=CUSTOMER),
    EntitySpec("purchase_orders", "books", "/purchaseorders", "purchaseorders", "purchaseorder_id",
               "PurchaseOrder", "zoho_purchaseorder_id", documents.map_purchase_order,
               documented=PAGED | {"sort_column", LMT, "filter_by"},
               sort_columns=("vendor_name", "purchaseorder_number", "date", "delivery_date", "total", "created_time"),
               cursor_field=LMT,
               depends_on=("vendors", "items"), pull_order=4, queue_urgency=2,
               webhook_keys={"purchaseorder": "purchaseorder_id"}, webhook_routes=("orders",), detail_lines=True,
               detail_key="purchaseorder", lines=_doc_lines("PurchaseOrderLine", "purchase_order"), fks=VENDOR),
    EntitySpec("credit_notes", "books", "/creditnotes", "creditnotes", "creditnote_id", "CreditNote",
               "zoho_creditnote_id", documents.map_credit_note, documented=PAGED | {"sort_column", "filter_by"},
               sort_columns=("customer_name", "creditnote_number", "balance", "total", "date", "created_time"),
               depends_on=("customers", "items", "warehouses"), pull_order=5, queue_urgency=2,
               webhook_keys={"creditnote": "creditnote_id"}, detail_lines=True, detail_key="creditnote",
               lines=Lines("CreditNoteLine", "credit_note", "zoho_line_item_id", documents.credit_note_lines),
               fks=CUSTOMER),
    EntitySpec("customer_payments", "books", "/customerpayments", "customerpayments", "payment_id",
               "CustomerPayment", "zoho_payment_id", documents.map_customer_payment,
               documented=PAGED | {"sort_column", "filter_by"},
               # A payment refers to its customer (the FK), not to invoice rows: it need not wait for them.
               depends_on=("customers",), pull_order=5, queue_urgency=2,
               webhook_keys={"customerpayment": "payment_id", "payment": "payment_id"}, fks=CUSTOMER),
    EntitySpec("vendor_payments", "books", "/vendorpayments", "vendorpayments", "payment_id", "VendorPayment",
               "zoho_payment_id", documents.map_vendor_payment, documented=PAGED | {"sort_column", LMT, "filter_by"},
               sort_columns=("vendor_name", "date", "reference_number", "amount", "balance"), cursor_field=LMT,
               depends_on=("vendors",), pull_order=5,
               queue_urgency=2, webhook_keys={"vendorpayment": "payment_id"}, fks=VENDOR),
    EntitySpec("stock_adjustments", "inventory", "/inventoryadjustments", "inventory_adjustments",
               "inventory_adjustment_id", "StockAdjustment", "zoho_inventory_adjustment_id",
               documents.map_stock_adjustment, documented=PAGED, stamped=False, depends_on=("items", "warehouses"),
               pull_order=6,
               queue_urgency=6,
               webhook_keys={"inventory_adjustment": "inventory_adjustment_id",
                             "inventoryadjustment": "inventory_adjustment_id"},
               detail_lines=True, detail_key="inventory_adjustment",
               lines=Lines("StockAdjustmentLine", "stock_adjustment", "zoho_line_item_id",
                           documents.stock_adjustment_lines, quantity="quantity_adjusted")),
    EntitySpec("transfer_orders", "inventory", "/transferorders", "transfer_orders", "transfer_order_id",
               "TransferOrder", "zoho_transfer_order_id", documents.map_transfer_order,
               documented=SORTED | {"filter_by"}, sort_columns=("date", "created_time", LMT), stamped=False,
               depends_on=("items", "warehouses"), pull_order=6, queue_urgency=6,
               webhook_keys={"transfer_order": "transfer_order_id", "transferorder": "transfer_order_id"},
               detail_lines=True, detail_key="transfer_order",
               lines=Lines("TransferOrderLine", "transfer_order", "zoho_line_item_id", documents.transfer_order_lines,
                           quantity="quantity_transfer"),
               fks=(ForeignKey("from_warehouse", "Warehouse", "zoho_warehouse_id", "zoho_from_location_id"),
                    ForeignKey("to_warehouse", "Warehouse", "zoho_warehouse_id", "zoho_to_location_id"))),
)
# Both are read from the items list; a stock webhook carries an item record (stock on hand per warehouse).
_DERIVED_SPECS = (
    DerivedSpec("stock", reads="items", queue_urgency=6, runner="sync.pull.derived.stock_pass",
                compare="sync.compare.run.compare_stock", recommend="sync.compare.recommend.stock_rule",
                run_type="stock", label="Stock sync", webhook_routes=("stock",), after="items"),
    # A missing picture matters less than a missing record: half weight in the health score.
    DerivedSpec("images", reads="items", queue_urgency=8, runner="sync.pull.derived.images_pass",
                compare="sync.compare.run.compare_images", recommend="sync.compare.recommend.images_rule",
                run_type="images", label="Image sync", after="items", per_record_calls=True, match_weight=0.5),
)

REGISTRY: dict[str, EntitySpec] = {spec.name: spec for spec in _SPECS}
DERIVED: dict[str, DerivedSpec] = {spec.name: spec for spec in _DERIVED_SPECS}
AnySpec = EntitySpec | DerivedSpec


def all_specs() -> list[AnySpec]:
    """Every name, registry order, each derived name right after the entity it follows."""
    out: list[AnySpec] = []
    for spec in REGISTRY.values():
        out += [spec, *(d for d in DERIVED.values() if d.after == spec.name)]
    return out + [d for d in DERIVED.values() if d.after not in REGISTRY]


def valid_names() -> list[str]:
    return [spec.name for spec in all_specs()]


def canonical(name: str) -> str:
    """Command-line name -> canonical name; unknown -> UnknownEntity listing the valid ones."""
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in REGISTRY and key not in DERIVED:
        raise UnknownEntity(f"unknown entity {name!r}; valid: {', '.join(valid_names())} "
                            f"(aliases: {', '.join(ALIASES)})")
    return key


def spec_for(name: str) -> AnySpec:
    """The spec of any known name (pulled or derived)."""
    key = canonical(name)
    return REGISTRY.get(key) or DERIVED[key]


def get_spec(name: str) -> EntitySpec:
    key = canonical(name)
    if key not in REGISTRY:
        raise UnknownEntity(f"{key!r} is not pulled as a list of its own (see tds_sync_stock / tds_sync_images)")
    return REGISTRY[key]


def queue_urgencies() -> dict[str, int]:
    """Every name's default queue urgency (1 is applied first)."""
    return {spec.name: spec.queue_urgency for spec in all_specs()}


def resolve_entities(names: Iterable[str] | None) -> list[str]:
    """Canonical names in plan order; None or empty means every pulled entity.

    Plan order: list-only entities (dependency order, then pull order), then derived ones read
    from lists (stock), then the entities that cost a call per record, then images.
    """
    wanted = {canonical(n) for n in names} if names else set(REGISTRY)
    ordered = [name for name in topological_order() if name in wanted] + [d for d in DERIVED if d in wanted]
    return plan_order(ordered)


def plan_order(names: list[str]) -> list[str]:
    """``names`` with the per-record entities moved after the list-only ones (otherwise in order)."""
    costly = {name for name in names if spec_for(name).per_record_calls}
    return [n for n in names if n not in costly] + [n for n in names if n in costly]


def topological_order() -> list[str]:
    done: list[str] = []
    pending = sorted(REGISTRY.values(), key=lambda s: (s.pull_order, s.name))
    while pending:
        ready = next(s for s in pending if all(d in done for d in s.depends_on))
        done.append(ready.name)
        pending.remove(ready)
    return done


@cache
def webhook_vocabulary() -> Vocabulary:
    """Zoho's webhook body keys and the /api/tds/webhooks/<route> routes, from the specs."""
    body_keys: dict[str, BodyKey] = {}
    routes: dict[str, tuple[str, ...]] = {}
    for spec in all_specs():
        for key, id_field in getattr(spec, "webhook_keys", {}).items():
            body_keys[key] = BodyKey(entity=spec.name, id_field=id_field)
        for route in spec.webhook_routes:
            routes[route] = (*routes.get(route, ()), spec.name)
    for spec in REGISTRY.values():
        if spec.webhook_claims:
            key, split_field, value = spec.webhook_claims
            owner = body_keys[key]
            splits = dict(owner.split[1]) if owner.split else {}
            body_keys[key] = BodyKey(owner.entity, owner.id_field, (split_field, {**splits, value: spec.name}))
    return Vocabulary(body_keys=body_keys, routes=routes, reads={d.name: d.reads for d in DERIVED.values()})
