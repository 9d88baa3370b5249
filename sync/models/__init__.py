from sync.models.budget import ApiQuotaDay, ApiUsage
from sync.models.choices import COMPARE_TYPES, PULL_RUN_TYPES, RunStatus, RunTrigger, RunType
from sync.models.erp import (
    Bill,
    BillLine,
    CompositeItem,
    CreditNote,
    Customer,
    CustomerPayment,
    Invoice,
    InvoiceLine,
    PriceList,
    PriceListItem,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockAdjustment,
    StockLevel,
    TransferOrder,
    Vendor,
    VendorPayment,
    Warehouse,
)
from sync.models.tds import (
    Alert,
    AuditEntry,
    Configuration,
    DeadLetter,
    ImmutableError,
    InboxEvent,
    Metric,
    SyncCursor,
    SyncLog,
    SyncQueueItem,
    SyncRun,
)

__all__ = [
    "COMPARE_TYPES", "PULL_RUN_TYPES", "RunStatus", "RunTrigger", "RunType",
    "ApiQuotaDay", "ApiUsage",
    "Alert", "AuditEntry", "Bill", "BillLine", "CompositeItem", "Configuration", "CreditNote", "Customer",
    "CustomerPayment", "DeadLetter", "ImmutableError", "InboxEvent", "Invoice", "InvoiceLine", "Metric",
    "PriceList", "PriceListItem", "Product", "PurchaseOrder", "PurchaseOrderLine",
    "SalesOrder", "SalesOrderLine", "StockAdjustment", "StockLevel", "SyncCursor", "SyncLog",
    "SyncQueueItem", "SyncRun", "TransferOrder", "Vendor", "VendorPayment", "Warehouse",
]
