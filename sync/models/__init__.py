from sync.models.budget import ApiQuotaDay, ApiUsage
from sync.models.choices import COMPARE_TYPES, PULL_RUN_TYPES, RunStatus, RunTrigger, RunType
from sync.models.erp import (
    Bill,
    BillLine,
    CompositeItem,
    CompositeItemComponent,
    CreditNote,
    CreditNoteLine,
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
    StockAdjustmentLine,
    StockLevel,
    TransferOrder,
    TransferOrderLine,
    Vendor,
    VendorPayment,
    Warehouse,
)
from sync.models.processes import PauseSwitch, ProcessHeartbeat
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
    "Alert", "AuditEntry", "Bill", "BillLine", "CompositeItem", "CompositeItemComponent", "Configuration", "CreditNote",
    "CreditNoteLine", "Customer",
    "CustomerPayment", "DeadLetter", "ImmutableError", "InboxEvent", "Invoice", "InvoiceLine", "Metric",
    "PauseSwitch", "PriceList", "PriceListItem", "ProcessHeartbeat", "Product", "PurchaseOrder", "PurchaseOrderLine",
    "SalesOrder", "SalesOrderLine", "StockAdjustment", "StockAdjustmentLine", "StockLevel", "SyncCursor", "SyncLog",
    "SyncQueueItem", "SyncRun", "TransferOrder", "TransferOrderLine", "Vendor", "VendorPayment", "Warehouse",
]
