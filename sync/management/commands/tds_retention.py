"""manage.py tds_retention [--dry-run]: prune the tables past their retention age, say what went."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sync.metrics.retention import retention_run


class Command(BaseCommand):
    help = "Delete completed queue items, processed inbox events, old logs, resolved dead letters ... past their age."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = retention_run(dry_run=options["dry_run"])
        verb = "would remove" if options["dry_run"] else "removed"
        for table, count in removed.items():
            self.stdout.write(f"{table:<36} {'kept (no age set)' if count == 'kept' else f'{verb} {count}'}")
