"""The Odoo push as a manual trigger: offered only when ODOO_URL is set; its task continues the pending run."""
from __future__ import annotations

import pytest

from sync import jobs
from sync.models import SyncRun

pytestmark = pytest.mark.django_db


def test_with_odoo_url_the_button_enqueues_a_pending_odoo_run(staff_client, settings,
                                                              django_capture_on_commit_callbacks,
                                                              monkeypatch) -> None:
    settings.ODOO_URL = "http://odoo.example.com"
    assert 'name="kind" value="odoo"' in staff_client.get("/tds-admin/triggers/").content.decode()
    sent = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: sent.append((func, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/tds-admin/triggers/run", {"kind": "odoo", "dry_run": "1"}, follow=True)
    run = SyncRun.objects.get()
    assert (run.run_type, run.entity, run.status, run.trigger, run.dry_run) == (
        "odoo", "products", "pending", "manual", True)
    assert sent == [("odoo.tasks.api_odoo", {"run_id": str(run.pk), "dry_run": True,
                                             "q_options": {"task_name": f"api-odoo-{str(run.pk)[:8]}"}})]
    assert "Odoo push (dry run) queued" in response.content.decode()


def test_without_odoo_url_the_button_is_absent_and_a_post_is_refused(staff_client, settings,
                                                                    monkeypatch) -> None:
    settings.ODOO_URL = ""
    html = staff_client.get("/tds-admin/triggers/").content.decode()
    assert "Image sync" in html and 'value="odoo"' not in html and "Odoo push" not in html
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: pytest.fail("nothing may be queued"))
    response = staff_client.post("/tds-admin/triggers/run", {"kind": "odoo"}, follow=True)
    assert "Odoo is not configured: set ODOO_URL." in response.content.decode()
    assert not SyncRun.objects.exists()


def _pending(*, dry_run: bool, monkeypatch) -> str:
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)
    return jobs.job_enqueue(kind="odoo", entity="products", run_type="odoo", options={"dry_run": dry_run},
                            trigger="manual").run_id


def test_the_task_continues_the_pending_run(odoo_settings, monkeypatch) -> None:
    from odoo import tasks

    run_id = _pending(dry_run=False, monkeypatch=monkeypatch)
    outcome = tasks.api_odoo(run_id=run_id)
    run = SyncRun.objects.get()
    assert (str(run.pk), run.run_type, run.status, run.trigger) == (run_id, "odoo", "completed", "manual")
    assert outcome["status"] == "completed" and run.summary["counts"]["match"] is True


def test_a_dry_run_settles_the_pending_row_with_its_plan(odoo_settings, monkeypatch) -> None:
    from odoo import tasks

    run_id = _pending(dry_run=True, monkeypatch=monkeypatch)
    tasks.api_odoo(run_id=run_id, dry_run=True)
    run = SyncRun.objects.get(pk=run_id)
    assert run.status == "completed" and run.finished_at is not None and "products" in run.summary


def test_a_refused_push_fails_the_pending_row(odoo_settings, monkeypatch) -> None:
    from odoo import tasks
    from odoo.errors import OdooError

    odoo_settings.ODOO_API_KEY = "wrong"
    run_id = _pending(dry_run=False, monkeypatch=monkeypatch)
    with pytest.raises(OdooError):
        tasks.api_odoo(run_id=run_id)
    run = SyncRun.objects.get()
    assert (str(run.pk), run.status) == (run_id, "failed") and "Odoo refused" in run.error_message
