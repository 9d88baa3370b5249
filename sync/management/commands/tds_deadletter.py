"""manage.py tds_deadletter list | retry --id N… / --all | discard --id N… | purge --older-than DAYS."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.models import DeadLetter
from sync.pipeline.deadletter import deadletter_discard, deadletter_purge, deadletter_retry


def _line(text: str) -> str:
    """A stored value on one line of the table, whatever whitespace it holds."""
    return " ".join(text.split())


class Command(BaseCommand):
    help = "Inspect and act on the dead-letter queue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,retry,discard,purge}")
        listing = sub.add_parser("list", help="open dead letters (newest first)")
        listing.add_argument("--all", action="store_true", help="include resolved letters")
        listing.add_argument("--entity")
        listing.add_argument("--limit", type=int, default=50)
        retry = sub.add_parser("retry", help="put letters' items back on the queue")
        group = retry.add_mutually_exclusive_group(required=True)
        group.add_argument("--id", dest="ids", type=int, nargs="+", metavar="N")
        group.add_argument("--all", action="store_true", help="every open letter")
        discard = sub.add_parser("discard", help="resolve letters without retrying")
        discard.add_argument("--id", dest="ids", type=int, nargs="+", metavar="N", required=True)
        purge = sub.add_parser("purge", help="delete letters older than DAYS")
        purge.add_argument("--older-than", dest="days", type=float, required=True, metavar="DAYS")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        letters = DeadLetter.objects.all() if options["all"] else DeadLetter.objects.filter(resolved=False)
        if options["entity"]:
            letters = letters.filter(entity=options["entity"])
        total = letters.count()
        self.stdout.write(f"{'id':>6}  {'created (UTC)':<19}  {'entity':<16} {'zoho id':<20} {'class':<9} "
                          f"{'tries':>5}  {'next retry':<19}  error")
        for letter in letters.order_by("-created_at", "-id")[: options["limit"]]:
            nxt = letter.next_retry_at.strftime("%Y-%m-%d %H:%M:%S") if letter.next_retry_at else "-"
            state = f"[{_line(letter.resolution)}] " if letter.resolved else ""
            kind = _line(letter.error_type.rsplit(".", 1)[-1])
            self.stdout.write(
                f"{letter.id:>6}  {letter.created_at:%Y-%m-%d %H:%M:%S}  {_line(letter.entity):<16} "
                f"{_line(letter.zoho_id):<20} {_line(letter.error_class):<9} {letter.attempts:>5}  {nxt:<19}  "
                f"{state}{kind}: {_line(letter.error_message)[:80]}")
        self.stdout.write(f"{total} dead letter(s){'' if options['all'] else ' open'}")

    def _retry(self, options: dict[str, Any]) -> None:
        outcome = deadletter_retry(ids=options["ids"], all_open=options["all"])
        self.stdout.write(f"requeued {outcome.requeued}, skipped {outcome.skipped} (unknown or already resolved)")
        if options["ids"] and not outcome.requeued:
            raise CommandError("no open dead letter among the given ids")

    def _discard(self, options: dict[str, Any]) -> None:
        count = deadletter_discard(ids=options["ids"])
        self.stdout.write(f"discarded {count}")
        if not count:
            raise CommandError("no open dead letter among the given ids")

    def _purge(self, options: dict[str, Any]) -> None:
        if options["days"] < 0:
            raise CommandError("--older-than must be 0 or more days")
        self.stdout.write(f"purged {deadletter_purge(older_than_days=options['days'])} dead letter(s)")
