"""manage.py tds_compare: compare Zoho with the local mirror, print the QUICK SUMMARY.

--sync carries out the recommendations; --sync --dry-run prints what would run and
writes nothing (no rows, no log files, no JSON). Exit status 1 with one line when
the comparison fails or an action fails; 75 (EX_TEMPFAIL) with the time to resume when Zoho's
limits (tokens refused, daily quota, open circuit) cut the run short: not a failure, but not done.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.compare.execute import compare_and_sync, for_review
from sync.compare.report import ActionResult, CompareReport, EntityComparison, Recommendation
from sync.compare.targets import UnknownEntity, resolve_names
from sync.ledger import resume_at
from sync.management.output import compare as render
from sync.management.output.progress import ProgressBar
from sync.stopping import command_stops


class Command(BaseCommand):
    help = "Compare Zoho and local per entity: health score, QUICK SUMMARY, recommendations; --sync acts on them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entities", nargs="+", metavar="E",
                            help="entities to compare (default: items stock images price_lists customers vendors; "
                                 "'all' for every entity)")
        parser.add_argument("--sync", action="store_true", help="carry out the recommendations in priority order")
        parser.add_argument("--dry-run", action="store_true", help="show what would be synced; write nothing")
        parser.add_argument("--output", metavar="report.json", help="write the whole report as JSON")
        parser.add_argument("--deep", action="store_true",
                            help="record by record: ids and last-modified times from the list pages")
        parser.add_argument("--lines", action="store_true",
                            help="with --deep: also each document's line count and quantity sum (a Zoho call "
                                 "per document of the entities with lines)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["lines"] and not options["deep"]:
            raise CommandError("--lines compares documents record by record: use it with --deep")
        if options["output"] and options["dry_run"]:
            raise CommandError("--output cannot be combined with --dry-run: dry runs write nothing to disk")
        try:
            entities = resolve_names(options["entities"], deep=options["deep"])
        except UnknownEntity as exc:
            raise CommandError(str(exc)) from exc
        with command_stops(self.stderr.write, what="compare"):
            report = self._run(entities, options)
        if options["sync"]:
            review = for_review(report.recommendations)
            self._lines(render.review_lines(review))
            self._lines([render.closing_line(report.actions, dry_run=options["dry_run"], review=len(review))])
        if options["output"]:
            self._write_json(Path(options["output"]), report)
        failed = [a for a in report.actions if not a.ok]
        if failed:
            names = ", ".join(f"{a.entity} ({a.error or f'{a.failed} failed'})" for a in failed)
            raise CommandError(f"{len(failed)} sync action(s) failed: {names}")
        if report.deferred:  # EX_TEMPFAIL: not a failure, but the work is not done; run again at resume_at
            raise CommandError(f"sync cut short by Zoho's limits; resume at {report.resume_at or 'the reset'}",
                               returncode=os.EX_TEMPFAIL)

    def _run(self, entities: list[str], options: dict[str, Any]) -> CompareReport:
        bar = ProgressBar("compare", unit="entities", stream=self.stderr._out)  # type: ignore[arg-type]  # django-stubs omits OutputWrapper._out
        try:
            return compare_and_sync(
                entities=entities, deep=options["deep"], sync=options["sync"], dry_run=options["dry_run"],
                lines=options["lines"], trigger="cli", on_report=lambda r: self._print_report(r, sync=options["sync"]),
                on_action=self._print_action, progress=lambda entity: bar.update(),
            )
        except Exception as exc:  # one line, never a traceback
            if getattr(exc, "waits", False):
                raise CommandError(f"compare cut short by Zoho's limits: {type(exc).__name__}: {exc}; resume at "
                                   f"{resume_at(exc) or 'the reset'}", returncode=os.EX_TEMPFAIL) from exc
            raise CommandError(f"compare failed: {type(exc).__name__}: {exc}") from exc
        finally:
            bar.close()

    def _print_report(self, report: CompareReport, *, sync: bool) -> None:
        self._lines(render.summary_lines(report) + render.recommendation_lines(report) + render.api_lines(report))
        if sync:
            self._lines(render.action_header(dry_run=report.dry_run))

    def _print_action(self, rec: Recommendation, comparison: EntityComparison | None, result: ActionResult) -> None:
        self._lines(render.action_lines(rec, comparison, result))

    def _write_json(self, path: Path, report: CompareReport) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(f"\n📝 Report written to {path}")

    def _lines(self, lines: list[str]) -> None:
        for line in lines:
            self.stdout.write(line)
