"""Fixtures for the image tests: a private MEDIA_ROOT and products loaded from the sandbox."""
from __future__ import annotations

import pytest

from tests.images.helpers import products_from_records

SANDBOX_ITEMS = 40  # ~75 % carry an image: enough for changes and misses, and fast to draw


@pytest.fixture(autouse=True)
def _no_flush_inside_worker_threads():
    """Image downloads run in worker threads, whose database connections commit outside the test's
    transaction. Empty the metric and budget buffers and restart their flush clock (a flush of empty
    buffers touches no database), so no flush falls due inside a worker: its rows would outlive the
    test and turn up in other tests' counts."""
    from sync.budget.usage import usage_discard
    from sync.metrics.points import points_discard, points_flush

    points_discard()
    usage_discard()
    points_flush()
    yield
    points_discard()
    usage_discard()


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
