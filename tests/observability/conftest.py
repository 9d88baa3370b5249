"""Alerts, metrics, budget and retention tests: nothing buffered leaks from one test into the next."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_buffers():  # noqa: ANN202
    from sync.budget.usage import usage_discard
    from sync.metrics.points import points_discard

    points_discard()
    usage_discard()
    yield
    points_discard()
    usage_discard()
