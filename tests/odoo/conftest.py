"""Fixtures for the Odoo target: a small Zoho sandbox pulled into the mirror, a fake Odoo per
version profile, Django settings aimed at both. Everything goes over real loopback HTTP."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches

from odoo.fake import FakeOdooServer
from odoo.fake.pytest_plugin import point_settings
from zoho.sandbox import SandboxServer

ITEMS = 40
SMALL_COUNTS = {"customers": 5, "vendors": 5, "invoices": 5, "bills": 5, "customerpayments": 5, "vendorpayments": 5,
                "creditnotes": 5, "salesorders": 5, "purchaseorders": 5, "inventory_adjustments": 5,
                "transfer_orders": 5, "composite_items": 5}


@pytest.fixture
def zsb(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory(items=ITEMS, seed=11, counts=SMALL_COUNTS)


@pytest.fixture
def zclient(zsb: SandboxServer, settings: Any) -> Any:
    from zoho.client import get_client

    settings.ZOHO_ACCOUNTS_URL = zsb.url
    settings.ZOHO_RATE_LIMIT_PER_MINUTE = 0
    for alias in ("default", "shared"):
        caches[alias].clear()
    return get_client(accounts_url=zsb.url, rate_limit_per_minute=0)


@pytest.fixture
def pull(zclient: Any) -> Callable[..., Any]:
    """Run a tds pull of items (incremental; full=True also finds deletions)."""
    from sync.pull.run import pull_entity

    def run(*, full: bool = False) -> Any:
        result = pull_entity(entity="items", full=full, client=zclient)
        assert result.ok, result.error
        return result

    return run


@pytest.fixture
def mirror(pull: Callable[..., Any]) -> Any:
    return pull(full=True)


@pytest.fixture(params=[17, 18, 19], ids=["odoo17-xmlrpc", "odoo18-xmlrpc", "odoo19-json2"])
def odoo(request: pytest.FixtureRequest, odoo_fake_factory: Callable[..., FakeOdooServer],
         settings: Any) -> FakeOdooServer:
    server = odoo_fake_factory(version=request.param)
    point_settings(settings, server)
    return server
