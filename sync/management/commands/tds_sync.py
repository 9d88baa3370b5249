"""manage.py tds_sync: pull entities from Zoho into the mirror, list-only entities first.

Incremental from the cursors by default; --full ignores them (and finds deletions);
--since ISO pulls records modified since that time; --dry-run writes nothing (no rows,
no run rows, no cursors) and prints what would change. Exits 1 when an entity failed, and 75
(EX_TEMPFAIL) with the time to resume when Zoho's limits cut the run short (not a failure).
SIGTERM/SIGINT stop it: the entity being pulled is recorded as failed with the reason (its
cursor stays where it was), and the command exits 143/130.
"""
from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.entities import UnknownEntity, resolve_entities
from sync.management.output.sync_progress import Progress, summary_table
from sync.mappers.common import timestamp
from sync.stopping import command_stops


class Command(BaseCommand):
    help = "Pull entities from Zoho (incremental from cursors; --full ignores them and detects deletions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entities", nargs="+", metavar="E", help="entities to pull (default: all)")
        parser.add_argument("--full", action="store_true", help="full listing: ignore cursors, detect deletions")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--since", metavar="ISO", help="pull records modified since this time")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entities = resolve_entities(options["entities"])
        except UnknownEntity as exc:
            raise CommandError(str(exc)) from exc
        since = _since(options["since"])
        client = _client()
        progress = Progress(self.stderr._out)  # type: ignore[arg-type]  # django-stubs omits OutputWrapper._out
        from sync.pull.run import pull_all

        with command_stops(self.stderr.write, what="Zoho pull"):
            summary = pull_all(entities=entities, full=options["full"], dry_run=options["dry_run"], since=since,
                               trigger="cli", client=client, on_result=progress.done, progress=progress)
        title = "DRY RUN: nothing was written" if options["dry_run"] else f"correlation id {summary.correlation_id}"
        self.stdout.write(title)
        for line in summary_table(summary.results):
            self.stdout.write(line)
        if summary.not_attempted:
            raise CommandError(f"not attempted: {', '.join(summary.not_attempted)} ({summary.reason})")
        if summary.failed_entities:
            reasons = "; ".join(f"{r.entity}: {r.error}" for r in summary.results if r.status == "failed")
            raise CommandError(f"{len(summary.failed_entities)} entity pull(s) failed: {reasons}")
        if summary.deferred:
            rest = f"; not reached: {', '.join(summary.not_reached)}" if summary.not_reached else ""
            raise CommandError(f"cut short by Zoho's limits ({summary.reason}); resume at "
                               f"{summary.resume_at or 'the reset'}{rest}", returncode=os.EX_TEMPFAIL)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = timestamp(value)
    if not isinstance(parsed, datetime):
        raise CommandError(f"--since must be a date or a time with its zone, e.g. 2025-11-18T02:02:51+0300 "
                           f"(got {value!r})")
    return parsed


def _client() -> Any:
    """The Zoho client, or one clear line when Zoho is not configured or the sandbox is not running."""
    from zoho.client import get_client
    from zoho.config import sandbox_check
    from zoho.errors import ZohoError

    try:
        client = get_client()
        sandbox_check(client.config)  # a sandbox that is not up: one line, and no failed run recorded
        return client
    except (ZohoError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
