"""pytest fixtures for the fake Odoo.

- `odoo_fake_factory(**config)`: builds and starts fake Odoo servers, stopped after the test.
- `odoo_fake`: one fake Odoo (profile 18, company currency IQD), fresh per test.
- `odoo_settings`: Django's ODOO_* settings aimed at `odoo_fake`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from odoo.fake.config import FakeConfig
from odoo.fake.server import FakeOdooServer


@pytest.fixture
def odoo_fake_factory() -> Iterator[Callable[..., FakeOdooServer]]:
    started: list[FakeOdooServer] = []

    def build(**config: Any) -> FakeOdooServer:
        server = FakeOdooServer(FakeConfig(**config)).start()
        started.append(server)
        return server

    yield build
    for server in started:
        server.stop()


@pytest.fixture
def odoo_fake(odoo_fake_factory: Callable[..., FakeOdooServer]) -> FakeOdooServer:
    return odoo_fake_factory()


def point_settings(settings: Any, server: FakeOdooServer) -> Any:
    """ODOO_* settings for `server` (pytest-django's `settings` restores them afterwards)."""
    settings.ODOO_URL = server.url
    settings.ODOO_DB = server.config.db
    settings.ODOO_USERNAME = server.config.login
    settings.ODOO_API_KEY = server.config.api_key
    settings.ODOO_USD_TO_IQD = 1500.0
    return settings


@pytest.fixture
def odoo_settings(odoo_fake: FakeOdooServer, settings: Any) -> Any:
    return point_settings(settings, odoo_fake)
