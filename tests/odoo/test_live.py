"""Opt-in smoke test against a real Odoo: read-only (version, company currency, counts).

Skipped unless ODOO_LIVE_URL, ODOO_LIVE_DB, ODOO_LIVE_USERNAME and ODOO_LIVE_API_KEY are set.
"""
from __future__ import annotations

import os

import pytest

NAMES = ("ODOO_LIVE_URL", "ODOO_LIVE_DB", "ODOO_LIVE_USERNAME", "ODOO_LIVE_API_KEY")
pytestmark = pytest.mark.skipif(not all(os.environ.get(n) for n in NAMES), reason="no live Odoo configured")


def test_a_real_odoo_answers_the_calls_this_sync_makes():
    from odoo.client import OdooClient
    from odoo.config import OdooSettings
    from odoo.services.target import company_currency, units_read

    url, db, user, key = (os.environ[n] for n in NAMES)
    client = OdooClient(OdooSettings(url=url.rstrip("/"), db=db, username=user, api_key=key))
    info = client.connect()
    assert info.uid and info.protocol == ("json2" if info.major >= 19 else "xmlrpc")
    assert company_currency(client=client, uid=info.uid)
    assert "units" in units_read(client=client)
    assert client.search_count("product.template", [], context={"active_test": False}) >= 0
    assert client.write_calls == 0
