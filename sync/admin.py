"""Django admin: the tables an operator browses, searches and exports.

Records of the past (audit trail, sync logs, inbox) are read-only; the audit
trail can be neither changed nor deleted. Products, customers, vendors and runs
export through django-import-export.
"""
from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from import_export.admin import ExportMixin, ImportExportModelAdmin

from sync import (
    admin_config,  # noqa: F401 - registers tds_configuration's admin
    admin_tokens,  # noqa: F401 - API tokens (knox), keys never shown
)
from sync import models as m
from sync.admin_actions import DEAD_LETTER_ACTIONS, QUEUE_ACTIONS
from zoho.models import RateLimitWindow


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of the past: viewable, filterable, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MirrorAdmin(admin.ModelAdmin):
    list_filter: ClassVar[tuple[str, ...]] = ("is_active", "deleted_in_zoho_at")
    readonly_fields = ("raw", "content_hash", "zoho_last_modified", "last_synced", "created_at", "updated_at")
    date_hierarchy = "last_synced"


# --- tds_* tables ---------------------------------------------------------------


@admin.register(m.InboxEvent)
class InboxEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "source", "entity", "zoho_id", "status", "signature_valid", "processed_at")
    list_filter = ("source", "status", "entity", "signature_valid")
    search_fields = ("zoho_id", "dedupe_key", "correlation_id")
    date_hierarchy = "received_at"


@admin.register(m.SyncQueueItem)
class SyncQueueItemAdmin(admin.ModelAdmin):
    list_display = ("id", "entity", "zoho_id", "operation", "priority", "status", "attempts", "next_attempt_at",
                    "locked_by", "locked_until")
    list_filter = ("status", "priority", "entity", "operation")
    search_fields = ("zoho_id", "locked_by", "correlation_id")
    raw_id_fields = ("inbox_event",)
    readonly_fields = ("created_at", "updated_at", "completed_at")
    actions = QUEUE_ACTIONS


@admin.register(m.SyncRun)
class SyncRunAdmin(ExportMixin, admin.ModelAdmin):
    # Runs are written by the run ledger as the work happens; a hand-made or edited one would be a false record.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    list_display = ("created_at", "run_type", "entity", "trigger", "status", "dry_run", "processed", "created",
                    "updated", "unchanged", "failed", "api_calls", "duration_seconds")
    list_filter = ("status", "run_type", "trigger", "dry_run", "entity")
    search_fields = ("id", "correlation_id", "error_message")
    date_hierarchy = "created_at"
    readonly_fields = ("id", "created_at", "started_at", "finished_at", "correlation_id")


@admin.register(m.SyncLog)
class SyncLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "level", "entity", "zoho_id", "message", "run")
    list_filter = ("level", "entity")
    search_fields = ("message", "zoho_id", "correlation_id")
    raw_id_fields = ("run",)
    date_hierarchy = "created_at"


@admin.register(m.DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    list_display = ("created_at", "entity", "zoho_id", "error_class", "error_type", "attempts", "next_retry_at",
                    "resolved", "resolution")
    list_filter = ("resolved", "error_class", "entity", "resolution")
    search_fields = ("zoho_id", "error_message", "error_type", "correlation_id")
    raw_id_fields = ("queue_item",)
    readonly_fields = ("created_at", "traceback", "payload", "error_message", "error_type", "attempts")
    actions = DEAD_LETTER_ACTIONS


@admin.register(m.SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin):
    list_display = ("entity", "watermark", "last_incremental_run_at", "last_full_run_at", "updated_at")
    search_fields = ("entity",)
    raw_id_fields = ("last_run",)


@admin.register(m.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "entity", "zoho_id", "action", "field", "old_value", "new_value", "source", "actor")
    list_filter = ("action", "source", "entity")
    search_fields = ("zoho_id", "field", "correlation_id", "actor")
    date_hierarchy = "created_at"

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(m.Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "severity", "code", "message", "value", "threshold", "status", "notify_error")
    list_filter = ("status", "severity", "code")
    search_fields = ("code", "message")


@admin.register(m.Metric)
class MetricAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "period", "name", "value", "samples", "labels")
    list_filter = ("period", "name")
    search_fields = ("name",)


@admin.register(m.ApiUsage)
class ApiUsageAdmin(ReadOnlyAdmin):
    list_display = ("day", "entity", "trigger", "endpoint", "status", "calls")
    list_filter = ("day", "trigger", "entity")


@admin.register(m.ProcessHeartbeat)
class ProcessHeartbeatAdmin(ReadOnlyAdmin):
    """Written by the processes themselves (sync.heartbeats); the dashboard's Workers page reads them."""

    list_display = ("kind", "name", "host", "pid", "started_at", "beat_at", "stopped_at", "current")
    list_filter = ("kind", "host")


@admin.register(m.PauseSwitch)
class PauseSwitchAdmin(ReadOnlyAdmin):
    """Switched on the dashboard (overview, Workers), which records who switched it."""

    list_display = ("name", "paused", "changed_at", "changed_by")


@admin.register(m.ApiQuotaDay)
class ApiQuotaDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "quota_limit", "remaining", "reset_at", "updated_at")


@admin.register(RateLimitWindow)
class RateLimitWindowAdmin(ReadOnlyAdmin):
    list_display = ("key", "window_start", "count")
    search_fields = ("key",)


# --- ERP mirror -------------------------------------------------------------------


@admin.register(m.Product)
class ProductAdmin(ImportExportModelAdmin, MirrorAdmin):
    list_display = ("sku", "name", "name_ar", "unit_price", "stock_quantity", "brand", "category_name", "is_active",
                    "image_url", "last_synced")
    list_filter = ("is_active", "brand", "category_name", "item_type", "deleted_in_zoho_at")
    search_fields = ("zoho_item_id", "sku", "name", "name_ar")


@admin.register(m.Warehouse)
class WarehouseAdmin(MirrorAdmin):
    list_display = ("name", "zoho_warehouse_id", "kind", "is_primary", "is_active", "last_synced")
    search_fields = ("name", "zoho_warehouse_id")


@admin.register(m.StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ("product", "warehouse", "stock_on_hand", "committed_stock", "available_for_sale", "last_synced")
    list_filter = ("warehouse",)
    search_fields = ("product__sku", "product__name", "product__zoho_item_id")
    list_select_related = ("product", "warehouse")
    raw_id_fields = ("product",)


@admin.register(m.PriceList)
class PriceListAdmin(MirrorAdmin):
    list_display = ("name", "zoho_pricebook_id", "currency_code", "pricebook_type", "is_active")
    search_fields = ("name", "zoho_pricebook_id")


@admin.register(m.PriceListItem)
class PriceListItemAdmin(admin.ModelAdmin):
    list_display = ("price_list", "zoho_item_id", "product", "rate", "discount")
    list_filter = ("price_list",)
    search_fields = ("zoho_item_id", "zoho_pricebook_item_id", "product__name")
    raw_id_fields = ("product",)
    list_select_related = ("price_list", "product")


@admin.register(m.Customer)
class CustomerAdmin(ImportExportModelAdmin, MirrorAdmin):
    list_display = ("name", "company_name", "email", "phone", "currency_code", "outstanding_receivable", "is_active")
    search_fields = ("zoho_contact_id", "name", "name_ar", "company_name", "email", "phone", "mobile")


@admin.register(m.Vendor)
class VendorAdmin(ImportExportModelAdmin, MirrorAdmin):
    list_display = ("name", "company_name", "email", "phone", "currency_code", "outstanding_payable", "is_active")
    search_fields = ("zoho_contact_id", "name", "company_name", "email", "phone", "mobile")


class LineInline(admin.TabularInline):
    extra = 0
    raw_id_fields = ("product",)
    fields = ("zoho_line_item_id", "zoho_item_id", "name", "sku", "quantity", "rate", "item_total")


def _document_admin(model: type[Model], number: str, party: str, lines: type | None = None) -> type:
    """One admin shape for every Zoho transaction: number, party, date, money."""
    inlines = [type(f"{model.__name__}LineInline", (LineInline,), {"model": lines})] if lines else []
    attrs = {
        "list_display": (number, party, "date", "status", "currency_code", "total", "is_active", "last_synced"),
        "list_filter": ("status", "is_active", "currency_code", "deleted_in_zoho_at"),
        "search_fields": (number, party, "reference_number"),
        "raw_id_fields": tuple(f.name for f in model._meta.fields if f.name in ("customer", "vendor")),
        "inlines": inlines,
        "date_hierarchy": "date",
    }
    return admin.register(model)(type(f"{model.__name__}Admin", (MirrorAdmin,), attrs))


_document_admin(m.Invoice, "invoice_number", "customer_name", m.InvoiceLine)
_document_admin(m.Bill, "bill_number", "vendor_name", m.BillLine)
_document_admin(m.SalesOrder, "salesorder_number", "customer_name", m.SalesOrderLine)
_document_admin(m.PurchaseOrder, "purchaseorder_number", "vendor_name", m.PurchaseOrderLine)
_document_admin(m.CreditNote, "creditnote_number", "customer_name", m.CreditNoteLine)


def _line_admin(model: type, parent: str) -> type:
    attrs = {
        "list_display": (parent, "zoho_line_item_id", "name", "sku", "quantity", "rate", "item_total"),
        "search_fields": ("zoho_line_item_id", "zoho_item_id", "name", "sku"),
        "raw_id_fields": (parent, "product"),
    }
    return admin.register(model)(type(f"{model.__name__}Admin", (admin.ModelAdmin,), attrs))


_line_admin(m.InvoiceLine, "invoice")
_line_admin(m.BillLine, "bill")
_line_admin(m.SalesOrderLine, "sales_order")
_line_admin(m.PurchaseOrderLine, "purchase_order")
_line_admin(m.CreditNoteLine, "credit_note")

# Lines of the Inventory documents and a composite's components: Zoho's own columns for each.
ADJUSTMENT_LINE = ("zoho_line_item_id", "zoho_item_id", "name", "quantity_adjusted", "item_total", "unit",
                   "warehouse")
TRANSFER_LINE = ("zoho_line_item_id", "zoho_item_id", "name", "quantity_transfer", "unit")
COMPONENT = ("zoho_line_item_id", "zoho_item_id", "item_order", "name", "sku", "quantity", "rate", "purchase_rate")


def _lines_admin(model: type, parent: str, columns: tuple[str, ...]) -> type:
    """The list page of one line table, and its inline on the parent's page."""
    attrs = {"list_display": (parent, *columns), "search_fields": ("zoho_line_item_id", "zoho_item_id", "name"),
             "raw_id_fields": tuple(f for f in (parent, "product", "warehouse") if f in _field_names(model)),
             "list_select_related": (parent,)}
    admin.register(model)(type(f"{model.__name__}Admin", (admin.ModelAdmin,), attrs))
    return type(f"{model.__name__}Inline", (admin.TabularInline,), {
        "model": model, "extra": 0, "fields": columns,
        "raw_id_fields": tuple(f for f in ("product", "warehouse") if f in _field_names(model))})


def _field_names(model: type) -> set[str]:
    return {f.name for f in model._meta.fields}  # type: ignore[attr-defined]


AdjustmentLineInline = _lines_admin(m.StockAdjustmentLine, "stock_adjustment", ADJUSTMENT_LINE)
TransferLineInline = _lines_admin(m.TransferOrderLine, "transfer_order", TRANSFER_LINE)
ComponentInline = _lines_admin(m.CompositeItemComponent, "composite_item", COMPONENT)


@admin.register(m.CustomerPayment)
class CustomerPaymentAdmin(MirrorAdmin):
    list_display = ("payment_number", "customer_name", "date", "amount", "payment_mode", "is_active")
    search_fields = ("zoho_payment_id", "payment_number", "customer_name", "reference_number")
    raw_id_fields = ("customer",)


@admin.register(m.VendorPayment)
class VendorPaymentAdmin(MirrorAdmin):
    list_display = ("payment_number", "vendor_name", "date", "amount", "payment_mode", "is_active")
    search_fields = ("zoho_payment_id", "payment_number", "vendor_name", "reference_number")
    raw_id_fields = ("vendor",)


@admin.register(m.StockAdjustment)
class StockAdjustmentAdmin(MirrorAdmin):
    list_display = ("reference_number", "date", "reason", "adjustment_type", "total", "is_active")
    search_fields = ("zoho_inventory_adjustment_id", "reference_number", "reason")
    inlines = (AdjustmentLineInline,)


@admin.register(m.TransferOrder)
class TransferOrderAdmin(MirrorAdmin):
    list_display = ("transfer_order_number", "date", "status", "from_warehouse", "to_warehouse", "is_active")
    search_fields = ("zoho_transfer_order_id", "transfer_order_number")
    list_select_related = ("from_warehouse", "to_warehouse")
    inlines = (TransferLineInline,)


@admin.register(m.CompositeItem)
class CompositeItemAdmin(MirrorAdmin):
    list_display = ("sku", "name", "unit_price", "stock_quantity", "status", "is_active")
    search_fields = ("zoho_composite_item_id", "sku", "name")
    inlines = (ComponentInline,)
