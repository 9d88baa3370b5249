"""The cluster tasks behind the dashboard's image and compare triggers continue the pending run."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from sync import jobs
from sync.ledger import run_open
from sync.models import SyncRun

pytestmark = pytest.mark.django_db


def _pending(kind: str, entity: str, run_type: str, options: dict, monkeypatch) -> str:
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)
    return jobs.job_enqueue(kind=kind, entity=entity, run_type=run_type, options=options, trigger="manual").run_id


def _report(dry_run: bool) -> SimpleNamespace:
    return SimpleNamespace(api_calls=3, duration_seconds=1.5, summary_line=lambda: "health=90",
                           to_dict=lambda: {"health": {"score": 90.0, "band": "good"}, "dry_run": dry_run,
                                            "recommendations": [{"entity": "items", "action": "incremental"}]})


def _dry_report() -> object:
    from datetime import UTC, datetime

    from sync.compare.recommend import INCREMENTAL_SYNC
    from sync.compare.report import CompareReport, EntityComparison, Health, Recommendation

    items = EntityComparison(entity="items", zoho_count=5, local_count=3)
    return CompareReport(started_at=datetime(2026, 1, 1, tzinfo=UTC), deep=False, comparisons=[items],
                         health=Health(score=60.0, band="WARNING"), api_calls=3,
                         recommendations=[Recommendation(entity="items", action=INCREMENTAL_SYNC, priority=9,
                                                         reason="2 missing locally", plan="incremental pull")])


def test_compare_task_continues_the_pending_row(monkeypatch) -> None:
    from sync import tasks

    run_id = _pending("compare", "", "compare", {"deep": True, "sync": False, "dry_run": False}, monkeypatch)

    def fake_compare(**kwargs):
        with run_open(run_type="compare", trigger=kwargs["trigger"], run_id=kwargs["run_id"]) as run:
            run.finish(status="completed", summary=_report(False).to_dict())
        return _report(False)

    monkeypatch.setattr("sync.compare.execute.compare_and_sync", fake_compare)
    assert tasks.api_compare(run_id=run_id, deep=True) == {"summary": "health=90"}
    run = SyncRun.objects.get()
    assert (str(run.pk), run.status, run.trigger) == (run_id, "completed", "manual")


def test_compare_dry_run_keeps_the_plan_in_the_pending_row(monkeypatch) -> None:
    from sync import tasks

    run_id = _pending("compare", "", "compare_sync", {"deep": False, "carry_out": True, "dry_run": True},
                      monkeypatch)
    monkeypatch.setattr("sync.compare.execute.compare_run", lambda **kw: _dry_report())
    assert f"run={run_id}" in tasks.api_compare(run_id=run_id, carry_out=True, dry_run=True)["summary"]
    run = SyncRun.objects.get(pk=run_id)
    assert (run.status, run.run_type, run.dry_run) == ("completed", "compare_sync", True)
    assert run.summary["recommendations"][0]["entity"] == "items"
    assert run.summary["actions"][0]["entity"] == "items"  # the plan: what carrying out would have run
    assert run.api_calls == 3 and SyncRun.objects.count() == 1


def test_images_task_fails_a_row_it_never_reached(monkeypatch) -> None:
    from sync import tasks

    run_id = _pending("images", "images", "images", {"dry_run": False}, monkeypatch)
    monkeypatch.setattr("sync.images.run.images_sync", lambda **kw: SimpleNamespace(as_dict=lambda: {"ok": True}))
    assert tasks.api_images(run_id=run_id) == {"ok": True}
    run = SyncRun.objects.get(pk=run_id)
    assert run.status == "failed" and "without opening its run" in run.error_message
