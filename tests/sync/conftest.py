"""Sandbox + client fixtures for the sync engine tests: small data, rate limit off, real HTTP."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches

from zoho.sandbox import SandboxServer

SMALL_COUNTS = {"customers": 12, "vendors": 6, "invoices": 15, "bills": 8, "customerpayments": 8,
                "vendorpayments": 6, "creditnotes": 5, "salesorders": 8, "purchaseorders": 6,
                "inventory_adjustments": 5, "transfer_orders": 5, "composite_items": 5}


def _counts(**overrides: int) -> dict[str, int]:
    from zoho.sandbox.config import DEFAULT_COUNTS

    return {k: v for k, v in {**SMALL_COUNTS, **overrides}.items() if k in DEFAULT_COUNTS}


@pytest.fixture
def sandbox_maker(sandbox_factory: Callable[..., SandboxServer]) -> Callable[..., SandboxServer]:
    """The plugin's sandbox_factory with the sync tests' sizes (120 items, small counts)."""

    def make(**cfg: Any) -> SandboxServer:
        cfg.setdefault("items", 120)
        cfg.setdefault("seed", 7)
        cfg.setdefault("rate_limit_per_minute", 0)
        cfg["counts"] = _counts(**cfg.get("counts", {}))
        return sandbox_factory(**cfg)

    return make


@pytest.fixture
def sb(sandbox_maker: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_maker()


@pytest.fixture
def zclient(sb: SandboxServer, settings: Any) -> Any:
    """A ZohoClient pointed at the sandbox (limiter off, fresh token cache)."""
    from zoho.auth import clear_token_cache
    from zoho.client import get_client

    settings.ZOHO_ACCOUNTS_URL = sb.url
    settings.ZOHO_RATE_LIMIT_PER_MINUTE = 0
    for alias in ("default", "shared"):
        try:
            caches[alias].clear()
        except Exception:  # a cache the settings do not define
            pass
    # A sandbox started on a port an earlier test's sandbox used must not get that one's token.
    clear_token_cache()
    return get_client(accounts_url=sb.url, rate_limit_per_minute=0)


# Metric points and budget calls are buffered in memory: nothing buffered leaks from one test into the next.
@pytest.fixture(autouse=True)
def _empty_buffers():
    from sync.budget.usage import usage_discard
    from sync.metrics.points import points_discard

    points_discard()
    usage_discard()
    yield
    points_discard()
    usage_discard()
