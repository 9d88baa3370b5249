"""The local ERP mirror of Zoho. Other TSH apps read these tables directly:
table names and key columns are an interface.

Money and quantities are NUMERIC, never float; an empty Zoho number is NULL.
Hashes are varchar(64), not char(64): Django 5.2's bulk_create casts to char[] on PostgreSQL,
which pads and mis-compares fixed-width values.
"""
from __future__ import annotations

from typing import TypedDict

from django.db import models


class _Numeric(TypedDict):
    max_digits: int
    decimal_places: int
    null: bool
    blank: bool


MONEY: _Numeric = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}
QTY: _Numeric = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}


class ZohoMirror(models.Model):
    """Columns every mirrored table keeps beside its Zoho id."""

    raw = models.JSONField(default=dict)
    zoho_last_modified = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    last_synced = models.DateTimeField(null=True, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    deleted_in_zoho_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Product(ZohoMirror):
    zoho_item_id = models.CharField(max_length=64, unique=True)
    sku = models.CharField(max_length=255, blank=True, db_index=True)
    name = models.CharField(max_length=500)
    name_ar = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    description_ar = models.TextField(blank=True)
    unit_price = models.DecimalField(**MONEY)
    cost_price = models.DecimalField(**MONEY)
    stock_quantity = models.DecimalField(**QTY)
    available_stock = models.DecimalField(**QTY)
    unit = models.CharField(max_length=64, blank=True)
    brand = models.CharField(max_length=255, blank=True)
    manufacturer = models.CharField(max_length=255, blank=True)
    category_name = models.CharField(max_length=255, blank=True)
    item_type = models.CharField(max_length=32, blank=True)
    product_type = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, blank=True)
    image_name = models.CharField(max_length=255, blank=True)
    image_type = models.CharField(max_length=16, blank=True)
    image_document_id = models.CharField(max_length=64, blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    thumbnail_url = models.CharField(max_length=500, blank=True)
    image_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The Zoho image identity the local file was downloaded for: a change of
    # image_document_id/image_name in Zoho means the image must be fetched again.
    image_source_key = models.CharField(max_length=300, blank=True)
    image_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "products"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_active", "name"], name="products_active_name_idx"),
            models.Index(fields=["zoho_last_modified"], name="products_modified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku or self.zoho_item_id} {self.name}"


class Warehouse(ZohoMirror):
    zoho_warehouse_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    is_primary = models.BooleanField(default=False)
    status = models.CharField(max_length=16, blank=True)
    # "warehouse" (legacy /settings/warehouses) or "location" (/locations).
    kind = models.CharField(max_length=16, default="warehouse")

    class Meta:
        db_table = "warehouses"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_levels")
    stock_on_hand = models.DecimalField(**QTY)
    committed_stock = models.DecimalField(**QTY)
    available_for_sale = models.DecimalField(**QTY)
    content_hash = models.CharField(max_length=64, blank=True)
    last_synced = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "stock_levels"
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_levels_product_warehouse_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.stock_on_hand}"


class PriceList(ZohoMirror):
    zoho_pricebook_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=8, blank=True)
    pricebook_type = models.CharField(max_length=32, blank=True)
    sales_or_purchase_type = models.CharField(max_length=16, blank=True)
    percentage = models.DecimalField(**MONEY)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "price_lists"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_pricebook_item_id = models.CharField(max_length=64, unique=True)
    zoho_item_id = models.CharField(max_length=64, db_index=True)
    rate = models.DecimalField(**MONEY)
    discount = models.CharField(max_length=32, blank=True)
    raw = models.JSONField(default=dict)
    last_synced = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "price_list_items"

    def __str__(self) -> str:
        return f"{self.price_list_id}:{self.zoho_item_id}={self.rate}"


class Contact(ZohoMirror):
    zoho_contact_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    name_ar = models.CharField(max_length=255, blank=True)
    company_name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    mobile = models.CharField(max_length=64, blank=True)
    payment_terms = models.IntegerField(null=True, blank=True)
    payment_terms_label = models.CharField(max_length=64, blank=True)
    currency_code = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(Contact):
    outstanding_receivable = models.DecimalField(**MONEY)

    class Meta(Contact.Meta):
        db_table = "customers"


class Vendor(Contact):
    outstanding_payable = models.DecimalField(**MONEY)

    class Meta(Contact.Meta):
        db_table = "vendors"


class Document(ZohoMirror):
    """A Zoho transaction: number, party, dates, status, money."""

    date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=32, blank=True)
    currency_code = models.CharField(max_length=8, blank=True)
    reference_number = models.CharField(max_length=255, blank=True)
    total = models.DecimalField(**MONEY)

    class Meta:
        abstract = True
        ordering = ["-date"]


class Invoice(Document):
    zoho_invoice_id = models.CharField(max_length=64, unique=True)
    invoice_number = models.CharField(max_length=100, blank=True, db_index=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    customer_name = models.CharField(max_length=255, blank=True)
    due_date = models.DateField(null=True, blank=True)
    balance = models.DecimalField(**MONEY)

    class Meta(Document.Meta):
        db_table = "invoices"

    def __str__(self) -> str:
        return self.invoice_number or self.zoho_invoice_id


class Bill(Document):
    zoho_bill_id = models.CharField(max_length=64, unique=True)
    bill_number = models.CharField(max_length=100, blank=True, db_index=True)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_vendor_id = models.CharField(max_length=64, blank=True, db_index=True)
    vendor_name = models.CharField(max_length=255, blank=True)
    due_date = models.DateField(null=True, blank=True)
    balance = models.DecimalField(**MONEY)

    class Meta(Document.Meta):
        db_table = "bills"

    def __str__(self) -> str:
        return self.bill_number or self.zoho_bill_id


class SalesOrder(Document):
    zoho_salesorder_id = models.CharField(max_length=64, unique=True)
    salesorder_number = models.CharField(max_length=100, blank=True, db_index=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    customer_name = models.CharField(max_length=255, blank=True)
    shipment_date = models.DateField(null=True, blank=True)

    class Meta(Document.Meta):
        db_table = "sales_orders"

    def __str__(self) -> str:
        return self.salesorder_number or self.zoho_salesorder_id


class PurchaseOrder(Document):
    zoho_purchaseorder_id = models.CharField(max_length=64, unique=True)
    purchaseorder_number = models.CharField(max_length=100, blank=True, db_index=True)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_vendor_id = models.CharField(max_length=64, blank=True, db_index=True)
    vendor_name = models.CharField(max_length=255, blank=True)
    delivery_date = models.DateField(null=True, blank=True)

    class Meta(Document.Meta):
        db_table = "purchase_orders"

    def __str__(self) -> str:
        return self.purchaseorder_number or self.zoho_purchaseorder_id


class CreditNote(Document):
    zoho_creditnote_id = models.CharField(max_length=64, unique=True)
    creditnote_number = models.CharField(max_length=100, blank=True, db_index=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    customer_name = models.CharField(max_length=255, blank=True)
    balance = models.DecimalField(**MONEY)

    class Meta(Document.Meta):
        db_table = "credit_notes"

    def __str__(self) -> str:
        return self.creditnote_number or self.zoho_creditnote_id


class CustomerPayment(ZohoMirror):
    zoho_payment_id = models.CharField(max_length=64, unique=True)
    payment_number = models.CharField(max_length=100, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    customer_name = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    unused_amount = models.DecimalField(**MONEY)
    payment_mode = models.CharField(max_length=100, blank=True)  # Zoho documents up to 100
    reference_number = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "customer_payments"
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.payment_number or self.zoho_payment_id


class VendorPayment(ZohoMirror):
    zoho_payment_id = models.CharField(max_length=64, unique=True)
    payment_number = models.CharField(max_length=100, blank=True)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL)
    zoho_vendor_id = models.CharField(max_length=64, blank=True, db_index=True)
    vendor_name = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(**MONEY)
    payment_mode = models.CharField(max_length=100, blank=True)  # Zoho documents up to 100
    reference_number = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "vendor_payments"
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.payment_number or self.zoho_payment_id


class StockAdjustment(ZohoMirror):
    zoho_inventory_adjustment_id = models.CharField(max_length=64, unique=True)
    reference_number = models.CharField(max_length=255, blank=True)
    date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    adjustment_type = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    total = models.DecimalField(**MONEY)

    class Meta:
        db_table = "stock_adjustments"
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.reference_number or self.zoho_inventory_adjustment_id


class TransferOrder(ZohoMirror):
    zoho_transfer_order_id = models.CharField(max_length=64, unique=True)
    transfer_order_number = models.CharField(max_length=100, blank=True)
    date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=32, blank=True)
    from_warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers_out"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers_in"
    )
    zoho_from_location_id = models.CharField(max_length=64, blank=True)
    zoho_to_location_id = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "transfer_orders"
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.transfer_order_number or self.zoho_transfer_order_id


class CompositeItem(ZohoMirror):
    zoho_composite_item_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=500)
    sku = models.CharField(max_length=255, blank=True)
    unit_price = models.DecimalField(**MONEY)
    cost_price = models.DecimalField(**MONEY)
    stock_quantity = models.DecimalField(**QTY)
    unit = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, blank=True)

    class Meta:
        db_table = "composite_items"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentLine(models.Model):
    zoho_line_item_id = models.CharField(max_length=64, unique=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zoho_item_id = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=500, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(**QTY)
    rate = models.DecimalField(**MONEY)
    item_total = models.DecimalField(**MONEY)
    raw = models.JSONField(default=dict)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} x {self.quantity}"


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        db_table = "invoice_lines"


class BillLine(DocumentLine):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        db_table = "bill_lines"


class SalesOrderLine(DocumentLine):
    sales_order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        db_table = "sales_order_lines"


class PurchaseOrderLine(DocumentLine):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        db_table = "purchase_order_lines"


class LocatedLine(DocumentLine):
    """A document line Zoho places in a warehouse (location_id on the line)."""

    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zoho_location_id = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True


class CreditNoteLine(LocatedLine):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        db_table = "credit_note_lines"


class StockAdjustmentLine(models.Model):
    """One item's quantity change in an inventory adjustment (negative: stock removed)."""

    stock_adjustment = models.ForeignKey(StockAdjustment, on_delete=models.CASCADE, related_name="lines")
    zoho_line_item_id = models.CharField(max_length=64, unique=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zoho_item_id = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    quantity_adjusted = models.DecimalField(**QTY)
    item_total = models.DecimalField(**MONEY)
    unit = models.CharField(max_length=64, blank=True)
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zoho_location_id = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        db_table = "stock_adjustment_lines"

    def __str__(self) -> str:
        return f"{self.name} {self.quantity_adjusted:+}" if self.quantity_adjusted is not None else self.name


class TransferOrderLine(models.Model):
    """One item moved by a transfer order (from and to are the order's locations)."""

    transfer_order = models.ForeignKey(TransferOrder, on_delete=models.CASCADE, related_name="lines")
    zoho_line_item_id = models.CharField(max_length=64, unique=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zoho_item_id = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    quantity_transfer = models.DecimalField(**QTY)
    unit = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        db_table = "transfer_order_lines"

    def __str__(self) -> str:
        return f"{self.name} x {self.quantity_transfer}"


class CompositeItemComponent(models.Model):
    """An item a composite item is made of (Zoho's mapped_items), with its quantity per composite."""

    composite_item = models.ForeignKey(CompositeItem, on_delete=models.CASCADE, related_name="components")
    zoho_line_item_id = models.CharField(max_length=64, unique=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zoho_item_id = models.CharField(max_length=64, blank=True, db_index=True)
    item_order = models.IntegerField(null=True, blank=True)
    name = models.CharField(max_length=500, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(**QTY)
    rate = models.DecimalField(**MONEY)
    purchase_rate = models.DecimalField(**MONEY)
    unit = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        db_table = "composite_item_components"

    def __str__(self) -> str:
        return f"{self.name} x {self.quantity}"
