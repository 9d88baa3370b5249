"""The django-q2 schedule: every ODOO_SYNC_INTERVAL, never overlapping itself, a ledger row per run."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from odoo.engine import ODOO_SYNC
from odoo.tasks import scheduled_odoo_sync
from sync import schedules
from sync.models import SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_schedule_row_follows_odoo_sync_interval(settings):
    from django_q.models import Schedule

    settings.ODOO_SYNC_INTERVAL = 600
    schedules.write_schedules()
    row = Schedule.objects.get(name=ODOO_SYNC)
    assert (row.func, row.minutes, row.kwargs) == ("odoo.tasks.scheduled_odoo_sync", 10, "dry_run=False")


def test_without_odoo_settings_the_task_skips_and_records_no_run(settings):
    settings.ODOO_URL = ""
    assert scheduled_odoo_sync() == {"skipped": True, "reason": "ODOO_URL is not set"}
    assert not SyncRun.objects.filter(run_type="odoo").exists()


def test_a_run_still_going_makes_the_next_one_skip(odoo_settings):
    with schedules.schedule_lock(ODOO_SYNC):
        assert scheduled_odoo_sync()["skipped"] is True
    assert not SyncRun.objects.filter(run_type="odoo").exists()


def test_a_scheduled_run_is_a_ledger_row_and_status_shows_the_loop_running(mirror, odoo_settings, capsys):
    outcome = scheduled_odoo_sync()
    assert outcome["created"] == 40 and outcome["counts"]["match"] is True
    run = SyncRun.objects.get(run_type="odoo")
    assert (run.trigger, run.status, run.entity) == ("schedule", "completed", "products")
    call_command("tds_odoo_sync", "status")
    assert "Odoo sync: running (django-q2 schedule every 300 s" in capsys.readouterr().out


def test_a_failed_scheduled_run_is_recorded_and_returned(mirror, odoo_settings):
    odoo_settings.ODOO_API_KEY = "wrong"
    outcome = scheduled_odoo_sync()
    assert outcome["ok"] is False and "Odoo refused" in outcome["error"]
    assert SyncRun.objects.get(run_type="odoo").status == "failed"
