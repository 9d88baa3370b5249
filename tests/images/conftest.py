"""Fixtures for the image tests: a private MEDIA_ROOT and products loaded from the sandbox."""
from __future__ import annotations

import pytest

from tests.images.helpers import products_from_records

SANDBOX_ITEMS = 40  # ~75 % carry an image: enough for changes and misses, and fast to draw


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    return settings.MEDIA_ROOT


@pytest.fixture
def sandbox(sandbox_factory):
    """A smaller sandbox than the plugin's default (zoho_settings points Django at this one)."""
    return sandbox_factory(items=SANDBOX_ITEMS, seed=7)


@pytest.fixture
def loaded(sandbox, zoho_settings, media, db):
    """The sandbox's items as products; returns the sandbox with its counters at zero."""
    products_from_records(sandbox.store.list("items"))
    sandbox.calls.reset()
    return sandbox
