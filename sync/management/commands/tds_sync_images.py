"""manage.py tds_sync_images: download missing or changed product images."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.images.result import SUMMARY_LIST_LIMIT
from sync.images.run import image_figures, images_sync
from sync.ledger import RunResult
from sync.management.output.progress import ProgressBar
from sync.models.erp import Product
from sync.models.tds import SyncRun
from sync.schedules import IMAGE_SYNC, schedule_lock
from sync.stopping import command_stops

SUMMARY_ROWS = (
    ("to fetch", "candidates"), ("up to date (no call)", "up_to_date"), ("downloaded", "downloaded"),
    ("deduplicated (shared file)", "deduplicated"), ("unchanged bytes", "unchanged"),
    ("no image in Zoho (404)", "no_image"), ("refused", "refused"), ("failed", "failed"),
    ("cleared (image gone in Zoho)", "cleared"), ("old files removed", "files_removed"), ("API calls", "api_calls"),
)


class Command(BaseCommand):
    help = "Download missing or changed product images from Zoho, with WebP thumbnails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=None,
                            help="parallel downloads (default TDS_IMAGE_CONCURRENCY, 10)")
        parser.add_argument("--force", action="store_true", help="download again even when unchanged")
        parser.add_argument("--items", nargs="+", metavar="ID", help="only these Zoho item ids")
        parser.add_argument("--dry-run", action="store_true", help="list what would be fetched; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["concurrency"] is not None and not 1 <= options["concurrency"] <= 64:
            raise CommandError("--concurrency must be between 1 and 64")
        self._warn_unknown(options["items"])
        # The scheduled image sync's lock: two runs at once would fetch the same images twice.
        with command_stops(self.stderr.write, what="image sync"), schedule_lock(IMAGE_SYNC) as acquired:
            if not acquired:
                raise CommandError("another image sync is running (scheduled or manual); "
                                   "run this again when it has finished")
            result = self._run(options)
        self._report(result)
        figures = image_figures(result)
        if not figures.ok:  # a refused image is the image's fault, not the run's: reported, exit 0
            raise CommandError(f"{figures.failed} image download(s) failed; see the run's logs ({result.run_id})")

    def _run(self, options: dict[str, Any]) -> RunResult:
        bar = ProgressBar("images", unit="img", stream=self.stdout._out)  # type: ignore[arg-type]  # django-stubs omits OutputWrapper._out
        try:
            return images_sync(concurrency=options["concurrency"], force=options["force"],
                               item_ids=options["items"], dry_run=options["dry_run"],
                               trigger=SyncRun.Trigger.CLI, progress=bar.set)
        except Exception as exc:  # one clear line, not a traceback
            raise CommandError(f"image sync failed: {type(exc).__name__}: {exc}") from exc
        finally:
            bar.close()

    def _warn_unknown(self, item_ids: list[str] | None) -> None:
        if not item_ids:
            return
        known = set(Product.objects.filter(zoho_item_id__in=item_ids).values_list("zoho_item_id", flat=True))
        unknown = [i for i in item_ids if i not in known]
        if unknown:
            self.stderr.write(f"not in products (pull items first): {' '.join(unknown)}")

    def _report(self, run: RunResult) -> None:
        result = image_figures(run)
        if result.dry_run:
            for entry in result.would_fetch:
                self.stdout.write(f"would fetch item {entry['item_id']} ({entry['why']}): {entry['name']}")
            self._more(result.candidates, len(result.would_fetch), "to fetch")
            self.stdout.write(f"dry run: {result.candidates} image(s) would be fetched, "
                              f"{result.up_to_date} up to date, {result.cleared} would be cleared; nothing written")
            return
        for refusal in result.refusals:
            self.stdout.write(f"refused item {refusal['item_id']}: {refusal['reason']} {refusal['detail']}")
        self._more(result.refused, len(result.refusals), f"refused, listed in the run's logs ({run.run_id})")
        width = max(len(label) for label, _ in SUMMARY_ROWS)
        for label, attr in SUMMARY_ROWS:
            self.stdout.write(f"{label:<{width}}  {getattr(result, attr):>8}")
        self.stdout.write(f"{'bytes':<{width}}  {result.bytes:>8}")
        self.stdout.write(f"{'duration':<{width}}  {result.duration:>7.1f}s  ({result.images_per_second:.1f}/s)")
        # The run's own counters, as its row and every run's result hold them.
        self.stdout.write(self.style.SUCCESS(
            f"image sync done, run {run.run_id}: created {run.created}, unchanged {run.unchanged}, "
            f"skipped {run.skipped}, failed {run.failed}"))

    def _more(self, total: int, listed: int, what: str) -> None:
        if total > listed:  # the result keeps the first SUMMARY_LIST_LIMIT of each list
            self.stdout.write(f"... and {total - listed} more {what} (the first {SUMMARY_LIST_LIMIT} are listed)")
