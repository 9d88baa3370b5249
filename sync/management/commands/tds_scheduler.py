"""manage.py tds_scheduler: write the default schedules and run the django-q2 cluster.

--once runs one compare+sync now and exits (0 done or skipped because a run is
still going, 1 on failure, 75 (EX_TEMPFAIL) with the time to resume when Zoho's limits cut it
short, 143/130 when SIGTERM/SIGINT stopped it, lock released and run recorded as failed): for
cron, no TTY or stdin needed. --interval sets the
compare+sync interval in hours; --dry-run makes the scheduled syncs dry (stored in
the schedules' kwargs; with --once: the one run is dry and writes nothing). Without --once it runs
the cluster, so it refuses to start without SECRET_KEY (DEBUG off), as qcluster does; --once does not.
"""
from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sync import schedules
from sync.compare.execute import compare_and_sync, for_review
from sync.compare.report import CompareReport
from sync.ledger import resume_at
from sync.management.output import compare as render
from sync.stopping import command_stops
from tds_site.broker import broker_key_required


def _hours(value: str) -> int:
    hours = int(value)
    if not 1 <= hours <= 168:
        raise ValueError(value)
    return hours


def _hours_until(moment: datetime | None) -> str:
    hours = max(0.0, (moment - timezone.now()).total_seconds() / 3600) if moment else 0.0
    return f"{hours:.0f} hours" if hours >= 1 else f"{hours * 60:.0f} minutes"


class Command(BaseCommand):
    help = "Write the default TDS schedules and run the django-q2 cluster; --once for cron."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=_hours, metavar="HOURS",
                            help="compare+sync every HOURS (1-168; default TDS_COMPARE_INTERVAL_HOURS)")
        parser.add_argument("--once", action="store_true", help="run one compare+sync now, then exit")
        parser.add_argument("--dry-run", action="store_true", help="scheduled syncs only report what they would do")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self._once(dry_run=options["dry_run"])
            return
        broker_key_required(command="tds_scheduler")  # the cluster reads tasks signed with SECRET_KEY
        outcome = schedules.write_schedules(interval_hours=options["interval"], dry_run=options["dry_run"])
        self._banner(options, outcome)
        call_command("qcluster", watch_database=True)  # the one process that tells of a database outage

    def _once(self, *, dry_run: bool) -> None:
        def job() -> CompareReport:
            return compare_and_sync(deep=True, sync=True, dry_run=dry_run, trigger="schedule")

        try:
            with command_stops(self.stderr.write, what="compare+sync"):
                report = schedules.run_guarded(schedules.COMPARE_SYNC, job)
        except Exception as exc:  # one line for cron mail, never a traceback
            if getattr(exc, "waits", False):
                raise CommandError(f"compare+sync cut short by Zoho's limits: {type(exc).__name__}: {exc}; resume at "
                                   f"{resume_at(exc) or 'the reset'}", returncode=os.EX_TEMPFAIL) from exc
            raise CommandError(f"compare+sync failed: {type(exc).__name__}: {exc}") from exc
        if isinstance(report, dict):
            self.stdout.write("⏭️  Skipped: the previous compare+sync is still running.")
            return
        self._print(report)
        failed = [a for a in report.actions if not a.ok]
        if failed:
            raise CommandError(f"{len(failed)} sync action(s) failed: {', '.join(a.entity for a in failed)}")
        if report.deferred:
            raise CommandError(f"sync cut short by Zoho's limits; resume at {report.resume_at or 'the reset'}",
                               returncode=os.EX_TEMPFAIL)

    def _print(self, report: CompareReport) -> None:
        comparisons = {c.entity: c for c in report.comparisons}
        recs = {(r.entity, r.action): r for r in report.recommendations}
        lines = render.summary_lines(report) + render.recommendation_lines(report) + render.api_lines(report)
        lines += render.action_header(dry_run=report.dry_run)
        for result in report.actions:
            rec = recs[(result.entity, result.action)]
            lines += render.action_lines(rec, comparisons.get(result.entity), result)
        review = for_review(report.recommendations)
        lines += render.review_lines(review)
        lines.append(render.closing_line(report.actions, dry_run=report.dry_run, review=len(review)))
        for line in lines:
            self.stdout.write(line)

    def _banner(self, options: dict[str, Any], outcome: dict[str, str]) -> None:
        from django_q.models import Schedule

        row = Schedule.objects.filter(name=schedules.COMPARE_SYNC).first()
        hours = (row.minutes or 0) // 60 if row else options["interval"]
        next_run = timezone.localtime(row.next_run).strftime("%Y-%m-%d %H:%M:%S") if row and row.next_run else "-"
        written = ", ".join(f"{sum(v == k for v in outcome.values())} {k}" for k in ("created", "updated", "unchanged"))
        for line in [
            "🚀 TDS AUTO-SYNC SCHEDULER STARTING",
            f"   Interval: Every {hours} hours",
            f"   Mode: {'DRY RUN' if options['dry_run'] else 'LIVE SYNC'}",
            f"   Started: {timezone.localtime():%Y-%m-%d %H:%M:%S}",
            f"   Schedules: {len(outcome)} ({written})",
            "",
            "✅ Scheduler started successfully",
            f"   Next scheduled run: {_hours_until(row.next_run)} from now ({next_run})" if row and row.repeats else
            "   Auto-sync is off (TDS_ENABLE_AUTO_SYNC=false): pull schedules are dormant",
            "   Press Ctrl+C to stop",
        ]:
            self.stdout.write(line)
