"""tds_scheduler: banner + schedules + cluster in the foreground; --once; --interval validation."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import Schedule

from sync import schedules
from sync.management.commands import tds_scheduler
from sync.models import SyncRun
from tests.compare.fakes import FakeClient
from tests.compare.test_command_fake import fake_zoho  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_foreground_writes_schedules_prints_the_banner_and_runs_the_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[str, dict]] = []
    monkeypatch.setattr(tds_scheduler, "call_command", lambda name, **options: started.append((name, options)))
    out = StringIO()
    call_command("tds_scheduler", "--interval", "12", "--dry-run", stdout=out)
    text = out.getvalue()
    assert started == [("qcluster", {"watch_database": True})]  # the one cluster that tells of a database outage
    assert "🚀 TDS AUTO-SYNC SCHEDULER STARTING" in text
    assert "   Interval: Every 12 hours" in text
    assert "   Mode: DRY RUN" in text
    assert "✅ Scheduler started successfully" in text
    row = Schedule.objects.get(name=schedules.COMPARE_SYNC)
    assert (row.minutes, row.kwargs) == (720, "dry_run=True")
    assert Schedule.objects.filter(name__startswith=schedules.PREFIX).count() == len(schedules.default_specs())


def test_interval_out_of_range_is_refused() -> None:
    with pytest.raises(CommandError):
        call_command("tds_scheduler", "--interval", "0")


def test_once_runs_one_compare_and_sync(fake_zoho: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr("sync.compare.targets.DEFAULT_ENTITIES", ("price_lists",))
    monkeypatch.setattr("sync.compare.targets.valid_names", lambda: ["price_lists"])  # the deep compare's "all"
    out = StringIO()
    call_command("tds_scheduler", "--once", stdout=out)
    assert "Health Score: 100.0/100 (EXCELLENT)" in out.getvalue()
    assert "✅ Nothing to sync: Zoho and local agree." in out.getvalue()
    run = SyncRun.objects.get(run_type="compare_sync")
    assert (run.trigger, run.status) == ("schedule", "completed")


def test_once_skips_while_a_run_is_still_going(fake_zoho: FakeClient) -> None:  # noqa: F811
    out = StringIO()
    with schedules.schedule_lock(schedules.COMPARE_SYNC):
        call_command("tds_scheduler", "--once", stdout=out)
    assert out.getvalue().strip() == "⏭️  Skipped: the previous compare+sync is still running."
    assert not SyncRun.objects.exists()
