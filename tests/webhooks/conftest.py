from __future__ import annotations

import pytest

from sync.pipeline import queue as queue_service


@pytest.fixture(autouse=True)
def _fresh_priorities():  # noqa: ANN202
    queue_service.clear_priority_cache()
    yield
    queue_service.clear_priority_cache()


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
