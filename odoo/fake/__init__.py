"""A faithful local Odoo (16/17, 18, 19 profiles) over loopback HTTP: XML-RPC, JSON-RPC, JSON-2 (19).

    from odoo.fake import FakeConfig, FakeOdooServer
    with FakeOdooServer(FakeConfig(version=19)) as odoo:
        odoo.url, odoo.db, odoo.app.counters()
"""
from __future__ import annotations

from odoo.fake.config import FakeConfig
from odoo.fake.server import FakeOdooServer

__all__ = ["FakeConfig", "FakeOdooServer"]
