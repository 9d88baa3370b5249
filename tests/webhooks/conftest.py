from __future__ import annotations

import pytest

from sync.config import config_clear_cache


@pytest.fixture(autouse=True)
def _fresh_priorities():  # noqa: ANN202
    config_clear_cache()
    yield
    config_clear_cache()


@pytest.fixture
def published(monkeypatch):  # noqa: ANN001, ANN201
    """Events the queue code publishes, captured at the bus boundary (after commit)."""
    events: list[tuple[str, dict]] = []

    def capture(name: str, **payload: object) -> None:
        events.append((name, payload))

    import sync.pipeline.deadletter as dl
    import sync.pipeline.workers as workers

    monkeypatch.setattr(dl, "publish_event", capture)
    monkeypatch.setattr(workers, "publish_event", capture)
    return events
