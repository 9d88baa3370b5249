"""Default schedules: present after migrate, idempotent, interval/dry-run/disabled, no overlap."""
from __future__ import annotations

import pytest
from django.conf import settings
from django_q.models import Schedule

from sync import schedules

pytestmark = pytest.mark.django_db


def tds_rows() -> dict[str, Schedule]:
    return {s.name: s for s in Schedule.objects.filter(name__startswith=schedules.PREFIX)}


def test_schedules_exist_after_migrate() -> None:
    rows = tds_rows()
    assert set(rows) == {spec.name for spec in schedules.default_specs()}
    compare = rows[schedules.COMPARE_SYNC]
    assert (compare.func, compare.schedule_type, compare.minutes) == ("sync.tasks.scheduled_compare_sync", "I", 360)
    assert compare.kwargs == "dry_run=False"
    assert rows[schedules.STOCK_SYNC].minutes == settings.TDS_STOCK_SYNC_INTERVAL_MINUTES
    assert rows[schedules.INCREMENTAL_PULL].minutes == 60
    assert (rows[schedules.FULL_PULL].schedule_type, rows[schedules.FULL_PULL].cron) == ("C", "30 2 * * *")
    assert rows[schedules.DEAD_LETTER_RETRY].func == "sync.tasks.retry_dead_letters"
    assert rows[schedules.LEASE_REAPER].func == "sync.tasks.reap_leases"
    assert all(row.repeats == -1 for row in rows.values())


def test_writing_again_duplicates_nothing_and_keeps_next_run() -> None:
    before = {name: row.next_run for name, row in tds_rows().items()}
    outcome = schedules.write_schedules()
    assert set(outcome.values()) == {"unchanged"}
    assert Schedule.objects.filter(name__startswith=schedules.PREFIX).count() == len(before)
    assert {name: row.next_run for name, row in tds_rows().items()} == before


def test_interval_and_dry_run_are_stored() -> None:
    outcome = schedules.write_schedules(interval_hours=12, dry_run=True)
    assert outcome[schedules.COMPARE_SYNC] == "updated"
    rows = tds_rows()
    assert rows[schedules.COMPARE_SYNC].minutes == 720
    assert rows[schedules.INCREMENTAL_PULL].kwargs == "dry_run=True"
    assert rows[schedules.LEASE_REAPER].kwargs is None


def test_auto_sync_off_keeps_the_rows_dormant_but_housekeeping_on() -> None:
    schedules.write_schedules(enabled=False)
    rows = tds_rows()
    assert rows[schedules.COMPARE_SYNC].repeats == 0
    assert rows[schedules.FULL_PULL].repeats == 0
    assert rows[schedules.DEAD_LETTER_RETRY].repeats == -1
    schedules.write_schedules(enabled=True)
    assert tds_rows()[schedules.COMPARE_SYNC].repeats == -1


def test_catch_up_is_off_so_missed_runs_are_not_replayed() -> None:
    from django_q.conf import Conf

    assert settings.Q_CLUSTER["catch_up"] is False
    assert Conf.CATCH_UP is False


def test_a_run_still_going_makes_the_next_one_skip(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []
    with schedules.schedule_lock("t-overlap") as first:
        assert first is True
        schedules.logger.addHandler(caplog.handler)  # the "tds" loggers do not propagate to root
        try:
            skipped = schedules.run_guarded("t-overlap", lambda: calls.append("second"))
        finally:
            schedules.logger.removeHandler(caplog.handler)
    assert skipped == {"skipped": True, "reason": "previous run still going"}
    assert calls == []
    assert "skipped: the previous run is still going" in caplog.text
    assert schedules.run_guarded("t-overlap", lambda: "third") == "third"


def test_tds_configuration_wins_and_applies_at_once() -> None:
    from sync.models import Configuration

    Configuration.objects.create(key="TDS_COMPARE_INTERVAL_HOURS", value=3)
    Configuration.objects.create(key="TDS_STOCK_SYNC_INTERVAL_MINUTES", value="not a number")
    rows = tds_rows()
    assert rows[schedules.COMPARE_SYNC].minutes == 180
    assert rows[schedules.STOCK_SYNC].minutes == settings.TDS_STOCK_SYNC_INTERVAL_MINUTES  # bad value ignored
    switch = Configuration.objects.create(key="TDS_ENABLE_AUTO_SYNC", value=False)
    assert tds_rows()[schedules.INCREMENTAL_PULL].repeats == 0
    switch.delete()
    assert tds_rows()[schedules.INCREMENTAL_PULL].repeats == -1
    assert tds_rows()[schedules.COMPARE_SYNC].minutes == 180
