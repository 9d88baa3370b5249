"""Fake Odoo configuration: version profile, database, credentials, company currency.

The user signs in with `password` anywhere and with `api_key` wherever Odoo accepts an API key
(XML-RPC, JSON-RPC's services, JSON-2), not in the web client's interactive login.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeConfig:
    version: int = 18
    db: str = "tsh"
    login: str = "admin"
    password: str = "admin"
    api_key: str = "fake-odoo-api-key"
    currency: str = "IQD"
    company: str = "TSH Trading"
    host: str = "127.0.0.1"
    port: int = 0
