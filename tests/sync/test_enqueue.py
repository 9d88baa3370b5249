"""Tasks reach the cluster with their keyword arguments: none is taken by django-q2 as its own option."""
from __future__ import annotations

from typing import Any

import pytest
from django_q.brokers.orm import ORM
from django_q.signing import SignedPackage
from django_q.tasks import async_task

from sync.enqueue import RESERVED, ReservedKeyword, task_enqueue
from sync.models import SyncRun

pytestmark = pytest.mark.django_db
RAN: list[dict[str, Any]] = []


def record(**kwargs: Any) -> None:
    RAN.append(kwargs)


@pytest.fixture
def broker(monkeypatch: Any) -> ORM:
    """The ORM broker (the default set-up without Redis), with nothing queued yet."""
    orm = ORM(list_key="tds-test")
    orm.purge_queue()
    monkeypatch.setattr("django_q.tasks.get_broker", lambda *args, **kwargs: orm)
    return orm


def _queued(broker: ORM) -> list[dict[str, Any]]:
    return [SignedPackage.loads(pack) for _, pack in broker.dequeue() or []]


def test_every_name_django_q2_keeps_for_itself_is_refused(broker: ORM) -> None:
    for name in sorted(RESERVED):
        with pytest.raises(ReservedKeyword, match=f"{name} would be taken by django-q2"):
            task_enqueue("sync.tasks.api_compare", run_id="x", **{name: True})
    with pytest.raises(ReservedKeyword, match="not a django-q2 option"):
        task_enqueue("sync.tasks.drain_queue", options={"carry_out": True})
    assert _queued(broker) == []


def test_django_q2_would_have_swallowed_sync(broker: ORM) -> None:
    # Why the wrapper exists: async_task itself keeps ``sync`` and runs the task in this process.
    RAN.clear()
    async_task("tests.sync.test_enqueue.record", sync=True, broker=broker)
    assert RAN == [{}] and _queued(broker) == []  # ran here, without its "sync", and never queued


def test_the_task_receives_its_keyword_arguments_and_django_q2_its_options(broker: ORM) -> None:
    task_enqueue("sync.tasks.api_compare", options={"task_name": "tds: compare", "timeout": 60},
                 run_id="r1", deep=True, carry_out=True, dry_run=True)
    [task] = _queued(broker)
    assert (task["func"], task["name"], task["timeout"]) == ("sync.tasks.api_compare", "tds: compare", 60)
    assert task["kwargs"] == {"run_id": "r1", "deep": True, "carry_out": True, "dry_run": True}
    assert not task.get("sync")


def test_carry_out_pressed_on_the_dashboard_is_queued_for_the_cluster_and_runs_there(
        staff_client: Any, broker: ORM, django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    from datetime import UTC, datetime

    from django.utils.module_loading import import_string

    from sync.compare.recommend import INCREMENTAL_SYNC
    from sync.compare.report import CompareReport, EntityComparison, Health, Recommendation

    compared: list[bool] = []

    def compare_run(**kwargs: Any) -> CompareReport:
        compared.append(True)
        return CompareReport(
            started_at=datetime(2026, 1, 1, tzinfo=UTC), deep=False, health=Health(score=60.0, band="WARNING"),
            comparisons=[EntityComparison(entity="items", zoho_count=5, local_count=3)],
            recommendations=[Recommendation(entity="items", action=INCREMENTAL_SYNC, priority=9, reason="2 missing",
                                            plan="incremental pull")])

    monkeypatch.setattr("sync.compare.execute.compare_run", compare_run)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/tds-admin/triggers/run", {"kind": "compare", "sync": "1", "dry_run": "1"})
    assert compared == []  # nothing ran in the web request
    run = SyncRun.objects.get()
    assert (run.run_type, run.status, run.configuration["carry_out"]) == ("compare_sync", "pending", True)
    [task] = _queued(broker)
    assert task["kwargs"] == {"run_id": str(run.pk), "deep": False, "carry_out": True, "dry_run": True}
    import_string(task["func"])(*task["args"], **task["kwargs"])  # what the cluster's worker does
    run.refresh_from_db()
    assert compared == [True] and (run.status, run.run_type) == ("completed", "compare_sync")
    assert [a["entity"] for a in run.summary["actions"]] == ["items"]  # the dry run's plan of pulls
