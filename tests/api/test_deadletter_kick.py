"""A dead letter put back on the queue is drained soon whoever asked: the retry itself asks the
cluster for a drain once its transaction commits (API, admin action, tds_deadletter, dashboard,
the automatic retry), and only then."""
from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sync.models import DeadLetter, SyncQueueItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def kicks(monkeypatch: Any) -> list[bool]:
    asked: list[bool] = []
    monkeypatch.setattr("sync.pipeline.kick.queue_kick", lambda: asked.append(True))
    return asked


def _letter() -> DeadLetter:
    return DeadLetter.objects.create(entity="items", zoho_id="4600000000001", error_class="permanent",
                                     error_message="bad", payload={"item_id": "4600000000001"})


def _api(staff_api: Any, letter: DeadLetter) -> None:
    assert staff_api.post("/api/tds/deadletter/retry", {"ids": [letter.pk]}, format="json").status_code == 200


def _admin(admin_client: Any, letter: DeadLetter) -> None:
    answer = admin_client.post("/admin/sync/deadletter/", {"action": "retry_dead_letters",
                                                            "_selected_action": [letter.pk]})
    assert answer.status_code == 302


def _command(_: Any, letter: DeadLetter) -> None:
    call_command("tds_deadletter", "retry", "--id", str(letter.pk), stdout=StringIO())


def _dashboard(staff_client: Any, letter: DeadLetter) -> None:
    answer = staff_client.post("/tds-admin/dead-letters/retry", {"ids": [letter.pk], "confirm": "yes"})
    assert answer.status_code == 302


@pytest.mark.parametrize(("client_name", "path"), [
    ("staff_api", _api), ("admin_client", _admin), ("staff_api", _command), ("staff_client", _dashboard),
])
def test_every_way_of_retrying_kicks_the_queue_after_commit(request: Any, kicks: list[bool],
                                                             django_capture_on_commit_callbacks: Any,
                                                             client_name: str, path: Any) -> None:
    letter = _letter()
    client = request.getfixturevalue(client_name)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        path(client, letter)
    assert kicks == []  # nothing asked before the requeue is committed
    for callback in pending:
        callback()
    assert kicks == [True]
    letter.refresh_from_db()
    assert letter.resolved and SyncQueueItem.objects.get(pk=letter.queue_item_id).status == "pending"


def test_a_retry_that_requeues_nothing_asks_for_no_drain(kicks: list[bool],
                                                          django_capture_on_commit_callbacks: Any) -> None:
    from sync.pipeline.deadletter import deadletter_retry

    with django_capture_on_commit_callbacks(execute=True):
        assert deadletter_retry(ids=[999999]).requeued == 0
    assert kicks == []
