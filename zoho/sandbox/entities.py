"""What each Zoho list/detail endpoint is: keys, fields, sorting and filters.

List fields follow Zoho's OpenAPI list schemas plus the fields real list responses carry
(product codes as strings, empty numbers as ""); details render every documented field the record holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ITEM_LIST = (
    "item_id", "name", "status", "source", "is_linked_with_zohocrm", "item_type", "description", "rate",
    "is_taxable", "tax_id", "tax_name", "tax_percentage", "purchase_description", "purchase_rate",
    "is_combo_product", "product_type", "reorder_level", "sku", "upc", "ean", "isbn", "part_number",
    "image_name", "image_type", "image_document_id", "created_time", "last_modified_time", "hsn_or_sac",
    "custom_fields", "stock_on_hand", "available_stock", "actual_available_stock", "brand", "manufacturer",
    "category_id", "category_name", "unit", "has_attachment", "account_id", "account_name",
    "purchase_account_id", "purchase_account_name",
)
BOOKS_ITEM_LIST = (
    "item_id", "name", "item_name", "status", "source", "is_linked_with_zohocrm", "item_type", "description",
    "rate", "tax_id", "tax_name", "tax_percentage", "purchase_description", "purchase_rate", "product_type",
    "reorder_level", "sku", "image_name", "image_type", "image_document_id", "created_time",
    "last_modified_time", "stock_on_hand", "available_stock", "actual_available_stock", "unit",
    "has_attachment", "account_id", "account_name", "purchase_account_id", "purchase_account_name",
    "custom_fields",
)
CONTACT_LIST = (
    "contact_id", "contact_name", "company_name", "contact_type", "status", "payment_terms",
    "payment_terms_label", "currency_id", "currency_code", "outstanding_receivable_amount",
    "outstanding_payable_amount", "unused_credits_receivable_amount", "unused_credits_payable_amount",
    "first_name", "last_name", "email", "phone", "mobile", "created_time", "last_modified_time",
)
INVOICE_LIST = (
    "invoice_id", "customer_name", "customer_id", "status", "invoice_number", "reference_number", "date",
    "due_date", "due_days", "currency_id", "currency_code", "is_viewed_by_client", "has_attachment", "total",
    "balance", "created_time", "last_modified_time", "is_emailed", "reminders_sent", "custom_fields",
    "location_id", "location_name", "salesperson_id", "salesperson_name", "shipping_charge", "adjustment",
    "write_off_amount", "exchange_rate",
)
BILL_HIDDEN_IN_LIST = ("payments",)
PAYMENT_LIST = (
    "payment_id", "payment_number", "invoice_number", "date", "payment_mode", "amount", "bcy_amount",
    "unused_amount", "account_id", "account_name", "description", "reference_number", "customer_id",
    "customer_name", "location_id", "location_name", "created_time", "last_modified_time",
)
VENDOR_PAYMENT_LIST = (
    "payment_id", "payment_number", "vendor_id", "vendor_name", "payment_mode", "description", "date",
    "reference_number", "amount", "balance", "currency_code", "created_time", "last_modified_time",
)
CREDITNOTE_LIST = (
    "creditnote_id", "creditnote_number", "status", "reference_number", "date", "total", "balance",
    "customer_id", "customer_name", "currency_id", "currency_code", "created_time", "last_modified_time",
    "is_emailed",
)
SALESORDER_LIST = (
    "salesorder_id", "customer_name", "customer_id", "status", "salesorder_number", "reference_number", "date",
    "shipment_date", "currency_code", "total", "bcy_total", "created_time", "last_modified_time", "is_emailed",
    "sales_channel", "custom_fields",
)
PURCHASEORDER_LIST = (
    "purchaseorder_id", "vendor_id", "vendor_name", "status", "purchaseorder_number", "reference_number", "date",
    "delivery_date", "currency_id", "currency_code", "price_precision", "total", "custom_fields", "created_time",
    "last_modified_time", "is_drop_shipment", "is_backorder", "receives",
)
ADJUSTMENT_LIST = ("inventory_adjustment_id", "date", "reason", "reason_id", "description", "reference_number",
                   "adjustment_type", "total", "custom_fields")
TRANSFER_LIST = ("transfer_order_id", "transfer_order_number", "date", "description", "status", "from_location_id",
                 "from_location_name", "to_location_id", "to_location_name", "is_intransit_order", "custom_fields")
COMPOSITE_LIST = (
    "composite_item_id", "name", "status", "source", "description", "rate", "tax_id", "tax_name", "tax_percentage",
    "purchase_description", "purchase_rate", "is_combo_product", "item_type", "product_type", "is_taxable",
    "stock_on_hand", "available_stock", "actual_available_stock", "sku", "upc", "ean", "isbn", "part_number",
    "reorder_level", "image_id", "image_name", "image_type", "unit", "category_id", "category_name", "combo_type",
    "brand", "manufacturer", "purchase_account_id", "purchase_account_name", "account_id", "account_name",
    "custom_fields", "created_time", "last_modified_time",
)
STATUS_FILTERS: dict[str, tuple[str, ...] | str] = {"Status.Active": "active", "Status.Inactive": "inactive"}
DOC_STATUS_FILTERS = {
    "Status.Sent": ("sent",), "Status.Draft": ("draft",), "Status.OverDue": ("overdue",), "Status.Paid": ("paid",),
    "Status.Void": ("void",), "Status.Unpaid": ("sent", "overdue", "partially_paid"),
    "Status.PartiallyPaid": ("partially_paid",), "Status.Open": ("open",), "Status.Closed": ("closed",),
}


@dataclass(frozen=True)
class Endpoint:
    entity: str                      # store entity (Zoho's list key name for the entity)
    id_field: str
    list_key: str
    detail_key: str
    label: str                       # "<label> does not exist."
    report_name: str
    list_fields: tuple[str, ...] | None = None   # None: every public field
    hidden_in_list: tuple[str, ...] = ()
    default_sort: str = "created_time"
    default_order: str = "D"
    sortable: tuple[str, ...] = ()
    lmt_filter: bool = False         # Zoho honours last_modified_time here
    status_filters: dict[str, tuple[str, ...] | str] = field(default_factory=dict)
    view: str = ""                   # rendering variant ("warehouse", "location", "books_item")


def _doc(entity: str, id_field: str, detail: str, label: str, report: str, fields: tuple[str, ...] | None,
         sortable: tuple[str, ...], lmt: bool = False, **extra: object) -> Endpoint:
    return Endpoint(entity, id_field, entity, detail, label, report, fields, sortable=sortable, lmt_filter=lmt,
                    status_filters=DOC_STATUS_FILTERS, **extra)  # type: ignore[arg-type]


INV_SORT = ("customer_name", "invoice_number", "date", "due_date", "total", "balance", "created_time")
LMT = ("last_modified_time",)
ITEMS = Endpoint("items", "item_id", "items", "item", "Item", "Items", ITEM_LIST, default_sort="name",
                 default_order="A", sortable=("name", "sku", "rate", "purchase_rate", "created_time",
                                              "last_modified_time", "reorder_level", "stock_on_hand"),
                 lmt_filter=True, status_filters=STATUS_FILTERS)
CONTACTS = Endpoint("contacts", "contact_id", "contacts", "contact", "Contact", "Contacts", CONTACT_LIST,
                    default_sort="contact_name", default_order="A",
                    sortable=("contact_name", "first_name", "last_name", "email", "outstanding_receivable_amount",
                              "created_time", "last_modified_time"), status_filters=STATUS_FILTERS)


def _common(books: bool) -> dict[str, Endpoint]:
    """The sales/purchase documents both APIs serve. Books documents the last_modified_time filter for bills,
    sales and purchase orders (not invoices or credit notes), and last_modified_time as a sort column for
    sales orders only; a parameter a list does not document is ignored, as Zoho ignores one it does not know."""
    po_key = "purchaseorder" if books else "purchase_order"
    return {
        "contacts": CONTACTS,
        "invoices": _doc("invoices", "invoice_id", "invoice", "Invoice", "Invoices", INVOICE_LIST, INV_SORT),
        "bills": _doc("bills", "bill_id", "bill", "Bill", "Bills", None,
                      ("vendor_name", "bill_number", "date", "due_date", "total", "balance", "created_time"),
                      books, hidden_in_list=BILL_HIDDEN_IN_LIST),
        "customerpayments": _doc("customerpayments", "payment_id", "payment", "Payment", "Payments Received",
                                 PAYMENT_LIST, ("customer_name", "payment_number", "date", "amount",
                                                "created_time")),
        "creditnotes": _doc("creditnotes", "creditnote_id", "creditnote", "Credit Note", "Credit Notes",
                            CREDITNOTE_LIST, ("customer_name", "creditnote_number", "balance", "total", "date",
                                              "created_time")),
        "salesorders": _doc("salesorders", "salesorder_id", "salesorder", "Sales Order", "Sales Orders",
                            SALESORDER_LIST, ("customer_name", "salesorder_number", "date", "total", "created_time")
                            + (("shipment_date", "reference_number", *LMT) if books else ()), books),
        "purchaseorders": _doc("purchaseorders", "purchaseorder_id", po_key, "Purchase Order", "Purchase Orders",
                               PURCHASEORDER_LIST, ("vendor_name", "purchaseorder_number", "date", "total",
                                                    "created_time") + (("delivery_date",) if books else ()), books),
    }


INVENTORY: dict[str, Endpoint] = {
    **_common(books=False),
    "items": ITEMS,
    "compositeitems": Endpoint("composite_items", "composite_item_id", "composite_items", "composite_item",
                               "Composite Item", "Composite Items", COMPOSITE_LIST, default_sort="name",
                               default_order="A", sortable=("name", "sku", "rate", "purchase_rate", "created_time",
                                                            "last_modified_time", "reorder_level"),
                               lmt_filter=True, status_filters=STATUS_FILTERS),
    "pricebooks": Endpoint("pricebooks", "pricebook_id", "pricebooks", "pricebook", "Price List", "Price Lists",
                           None, default_sort="name", default_order="A"),
    "settings/warehouses": Endpoint("warehouses", "warehouse_id", "warehouses", "warehouse", "Warehouse",
                                    "Warehouses", None, default_sort="warehouse_name", default_order="A",
                                    view="warehouse"),
    "locations": Endpoint("warehouses", "location_id", "locations", "location", "Location", "Locations", None,
                          default_sort="warehouse_name", default_order="A", view="location"),
    "inventoryadjustments": Endpoint("inventory_adjustments", "inventory_adjustment_id", "inventory_adjustments",
                                     "inventory_adjustment", "Inventory Adjustment", "Inventory Adjustments",
                                     ADJUSTMENT_LIST),
    "transferorders": Endpoint("transfer_orders", "transfer_order_id", "transfer_orders", "transfer_order",
                               "Transfer Order", "Transfer Orders", TRANSFER_LIST,
                               sortable=("date", "created_time", "last_modified_time")),
}
BOOKS: dict[str, Endpoint] = {
    **_common(books=True),
    "contacts": CONTACTS,
    "items": Endpoint("items", "item_id", "items", "item", "Item", "Items", BOOKS_ITEM_LIST, default_sort="name",
                      default_order="A", sortable=ITEMS.sortable, status_filters=STATUS_FILTERS,
                      view="books_item"),
    "vendorpayments": _doc("vendorpayments", "payment_id", "vendorpayment", "Payment", "Payments Made",
                           VENDOR_PAYMENT_LIST, ("vendor_name", "date", "reference_number", "amount", "balance"),
                           True),
}
APIS = {"inventory/v1": INVENTORY, "books/v3": BOOKS}
ID_FIELDS = {endpoint.entity: endpoint.id_field for endpoint in (*INVENTORY.values(), *BOOKS.values())
             if endpoint.view != "location"}
