"""Sandbox configuration: sizes, credentials, limits and fault settings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, timezone

ORG_TZ = timezone(timedelta(hours=3), "Asia/Baghdad")

DEFAULT_ITEMS = 2218
# Counts at the scale of TSH's organization (about 2,218 items). With fewer items than the default they shrink
# proportionally (never below MIN_COUNT) so a 300-item test sandbox stays cheap.
DEFAULT_COUNTS: dict[str, int] = {
    "warehouses": 4,
    "pricebooks": 4,
    "customers": 500,
    "vendors": 80,
    "invoices": 3000,
    "bills": 600,
    "customerpayments": 1500,
    "vendorpayments": 400,
    "creditnotes": 150,
    "salesorders": 800,
    "purchaseorders": 250,
    "inventory_adjustments": 150,
    "transfer_orders": 100,
    "composite_items": 40,
}
FIXED_COUNTS = ("warehouses", "pricebooks")
MIN_COUNT = 5


@dataclass
class SandboxConfig:
    items: int = DEFAULT_ITEMS
    seed: int = 1
    rate_limit_per_minute: int = 100
    daily_limit: int = 10000
    max_concurrency: int = 10
    stock_shape: str = "warehouses"
    faults: str = "none"
    counts: dict[str, int] = field(default_factory=dict)
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-secret"
    refresh_token: str = "sandbox-refresh"
    organization_id: str = "10234695"
    organization_name: str = "TSH Sandbox Trading"
    token_ttl_seconds: int = 3600
    tokens_per_window: int = 10
    token_window_seconds: int = 600
    timeout_sleep: float = 35.0
    slow_sleep: float = 1.0
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        if self.stock_shape not in ("warehouses", "locations"):
            raise ValueError("stock_shape must be 'warehouses' or 'locations'")
        unknown = set(self.counts) - set(DEFAULT_COUNTS)
        if unknown:
            raise ValueError(f"unknown counts: {sorted(unknown)}")

    def count(self, name: str) -> int:
        """The number of `name` records to generate."""
        if name in self.counts:
            return int(self.counts[name])
        base = DEFAULT_COUNTS[name]
        if name in FIXED_COUNTS or self.items >= DEFAULT_ITEMS:
            return base
        return max(MIN_COUNT, round(base * self.items / DEFAULT_ITEMS))
