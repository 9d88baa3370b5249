"""manage.py tds_sync_stock: the stock sync by pagination batches.

Prints the earlier system's JSON response (total_items_from_zoho, api_calls_made, products_updated,
products_created, products_skipped, errors, duration_seconds, sync_run_id) and a table.
Out-of-range options are refused; a failed sync exits non-zero with one line.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.management.commands.tds_sync import _client
from sync.management.output.progress import ProgressBar
from sync.stock.run import BATCH_RANGE, DB_BATCH_RANGE, check_range, stock_response, stock_sync
from sync.stopping import command_stops


class Command(BaseCommand):
    help = "Sync item stock from Zoho by pagination batches (200 items per call) with bulk DB upserts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="items per Zoho API call (50-200)")
        parser.add_argument("--db-batch-size", type=int, default=100, help="items per database batch (10-500)")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--active-only", dest="active_only", action="store_true", default=True,
                           help="only active items (default)")
        scope.add_argument("--all", dest="active_only", action="store_false", help="active and inactive items")
        parser.add_argument("--with-stock-only", action="store_true", help="only items with stock on hand > 0")
        parser.add_argument("--items", nargs="+", metavar="ID", help="only these Zoho item ids")
        parser.add_argument("--dry-run", action="store_true", help="preview; write nothing")
        parser.add_argument("--verbose", action="store_true", help="log every batch")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            check_range("--batch-size", options["batch_size"], BATCH_RANGE)
            check_range("--db-batch-size", options["db_batch_size"], DB_BATCH_RANGE)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbose"]:
            logging.getLogger("tds").setLevel(logging.DEBUG)
        bar = ProgressBar("stock", unit="items", stream=self.stderr._out)  # type: ignore[arg-type]  # django-stubs omits OutputWrapper._out
        try:
            with command_stops(self.stderr.write, what="stock sync"):
                result = stock_sync(batch_size=options["batch_size"], db_batch_size=options["db_batch_size"],
                                    active_only=options["active_only"], with_stock_only=options["with_stock_only"],
                                    item_ids=options["items"], dry_run=options["dry_run"], trigger="cli",
                                    client=_client(), progress=bar.set)
        finally:
            bar.close()
        response = stock_response(result)
        self.stdout.write(json.dumps(response, indent=2, ensure_ascii=False))
        self._table(response)
        if result.status == "failed":
            raise CommandError(f"stock sync failed: {result.error}")

    def _table(self, response: dict[str, Any]) -> None:
        stats = response["stats"]
        rows = [("items from Zoho", stats["total_items_from_zoho"]), ("API calls", stats["api_calls_made"]),
                ("products created", stats["products_created"]), ("products updated", stats["products_updated"]),
                ("products skipped (unchanged)", stats["products_skipped"]), ("errors", len(stats["errors"])),
                ("duration", f"{response['duration_seconds']:.2f} s"),
                ("sync run", response["sync_run_id"] or "(dry run: not recorded)")]
        width = max(len(label) for label, _ in rows)
        self.stdout.write("")
        for label, value in rows:
            self.stdout.write(f"  {label:<{width}}  {value}")
