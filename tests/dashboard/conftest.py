"""Seeded rows and clients for the dashboard's view tests."""
from __future__ import annotations

import pytest
from django.test import Client

from sync.models import Alert, DeadLetter, SyncLog, SyncRun


@pytest.fixture
def seeded(db):
    """A few runs (one with log lines), two open dead letters and an open alert."""
    done = SyncRun.objects.create(run_type="incremental", entity="items", trigger="schedule", status="completed",
                                  processed=12, created=2, updated=3, api_calls=4, correlation_id="cid-seeded")
    SyncLog.objects.create(run=done, level="INFO", entity="items", message="pulled 12 items")
    failed = SyncRun.objects.create(run_type="full", entity="customers", trigger="manual", status="failed",
                                    error_message="ZohoError: boom")
    letters = [DeadLetter.objects.create(entity="items", zoho_id=f"Z{i}", error_class="permanent",
                                         error_type="ValueError", error_message=f"bad record {i}",
                                         payload={"item_id": f"Z{i}"}, attempts=5) for i in (1, 2)]
    alert = Alert.objects.create(severity="warning", code="queue_pending", message="Queue pending is 300")
    return {"done": done, "failed": failed, "letters": letters, "alert": alert}


@pytest.fixture
def plain_client(db, django_user_model):
    user = django_user_model.objects.create_user("clerk", "clerk@example.com", "pw", is_staff=False)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def csrf_staff(db, django_user_model):
    """A staff client that, like a browser, must send the CSRF token."""
    user = django_user_model.objects.create_user("boss", "boss@example.com", "pw", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client
