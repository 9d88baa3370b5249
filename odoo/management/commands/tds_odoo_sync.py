"""manage.py tds_odoo_sync: push Zoho's products (the local mirror) to Odoo.

    tds_odoo_sync --once [--rate 1500] [--dry-run]     one sync, then exit (cron)
    tds_odoo_sync [--interval 300]                     sync every N seconds until stopped (a service)
    tds_odoo_sync status                               running/stopped, counts, the last 50 syncs

SIGTERM or SIGINT during a sync stops it: the schedule lock is released, the run is recorded as
failed with the reason, and the command exits 143 or 130. Between the loop's syncs they end the
loop cleanly (exit 0).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from odoo.engine import ODOO_SYNC
from odoo.errors import OdooError
from odoo.management.commands._odoo_output import result_lines, status_lines
from odoo.services.push import OdooSyncResult, products_push
from odoo.services.status import heartbeat_beat, heartbeat_clear, status_read
from sync.schedules import schedule_lock
from sync.stopping import Stops, command_stops

MIN_INTERVAL = 60


class Command(BaseCommand):
    help = "Push products from the local Zoho mirror to Odoo (only what changed), or show the sync's status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["status"], help="status: show the sync's state")
        parser.add_argument("--once", action="store_true", help="one sync, then exit")
        parser.add_argument("--interval", type=int, default=None, metavar="SECONDS",
                            help=f"seconds between syncs (default ODOO_SYNC_INTERVAL, minimum {MIN_INTERVAL})")
        parser.add_argument("--rate", default=None, help="USD to IQD rate (default ODOO_USD_TO_IQD)")
        parser.add_argument("--dry-run", action="store_true", help="print the plan; write nothing on either side")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            self.stdout.write("\n".join(status_lines(status_read())))
            return
        interval = self._interval(options["interval"])
        rate = self._rate(options["rate"])
        with command_stops(self.stderr.write, what="Odoo sync") as stops:
            if options["once"] or options["dry_run"]:
                self._sync(rate=rate, dry_run=options["dry_run"])
                return
            self._loop(interval=interval, rate=rate, stops=stops)

    def _interval(self, value: int | None) -> int:
        interval = settings.ODOO_SYNC_INTERVAL if value is None else value
        if interval < MIN_INTERVAL:
            raise CommandError(f"--interval must be at least {MIN_INTERVAL} seconds, got {interval}: "
                               "Odoo and Zoho would be polled faster than a sync can finish")
        return interval

    def _rate(self, value: str | None) -> Decimal | None:
        if value is None:
            return None
        try:
            rate = Decimal(value)
        except InvalidOperation:
            raise CommandError(f"--rate must be a number (USD to IQD), got {value!r}") from None
        if not rate.is_finite() or rate <= 0:
            raise CommandError(f"--rate must be greater than 0, got {value}")
        return rate

    def _sync(self, *, rate: Decimal | None, dry_run: bool) -> OdooSyncResult:
        with schedule_lock(ODOO_SYNC) as acquired:  # the scheduled sync's lock: never two at once
            if not acquired:
                raise CommandError("another Odoo sync is running (scheduled or manual); try again when it has finished")
            try:
                result = products_push(rate=rate, dry_run=dry_run, trigger="cli")
            except (OdooError, ImproperlyConfigured) as exc:  # the cause tells the loop whether to go on
                raise CommandError(f"Odoo sync failed: {exc}") from exc
            except Exception as exc:  # one clear line, never a traceback
                raise CommandError(f"Odoo sync failed: {type(exc).__name__}: {exc}") from None
        self.stdout.write("\n".join(result_lines(result)))
        return result

    def _loop(self, *, interval: int, rate: Decimal | None, stops: Stops) -> None:
        self.stdout.write(f"Odoo sync every {interval} s; stop with Ctrl-C or SIGTERM")
        try:
            while not stops.requested:
                heartbeat_beat(interval=interval, source="tds_odoo_sync --interval")
                self._cycle(rate=rate)
                with stops.graceful():  # a signal while waiting ends the loop; during a sync, stops it
                    stops.event.wait(interval)
        finally:
            heartbeat_clear()
        self.stdout.write("Odoo sync stopped.")

    def _cycle(self, *, rate: Decimal | None) -> None:
        """One sync of the loop: a transient failure waits for the next turn; a setting that is wrong stops it."""
        try:
            self._sync(rate=rate, dry_run=False)
        except CommandError as exc:
            busy = exc.__cause__ is None and "another Odoo sync" in str(exc)
            if busy or getattr(exc.__cause__, "transient", False):
                self.stderr.write(str(exc))
                return
            raise
        self.stdout.flush()
