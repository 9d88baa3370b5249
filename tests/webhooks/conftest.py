from __future__ import annotations

import pytest

from sync.config import config_clear_cache


@pytest.fixture(autouse=True)
def _fresh_priorities():
    config_clear_cache()
    yield
    config_clear_cache()


@pytest.fixture
def published(monkeypatch):
    """Queue events (dead letters, retries, synced batches) as handed to the bus, each checked
    against its documented payload; the run events of the drain itself are left out."""
    from dataclasses import asdict

    from sync import events

    seen: list[tuple[str, dict]] = []
    queue_events = {events.DEADLETTER_ADDED, events.RETRY_SCHEDULED, events.ENTITY_SYNCED}

    def capture(event: events.Event) -> None:
        payload = asdict(event)
        assert events.payload_errors(event.name, payload) == []
        if event.name in queue_events:
            seen.append((event.name, payload))

    monkeypatch.setattr(events, "publish", capture)
    return seen
