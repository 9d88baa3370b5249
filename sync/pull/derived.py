"""stock and images as entity passes: each is its own service, wrapped to answer like a pull.

The registry names these functions as the ``runner`` of its derived specs.
"""
from __future__ import annotations

from sync.images.result import ImageSyncResult
from sync.ledger import RunResult
from sync.zoho_port import ZohoPort


def stock_pass(*, dry_run: bool, trigger: str, client: ZohoPort) -> RunResult:
    from sync.stock.run import stock_sync

    return stock_sync(dry_run=dry_run, trigger=trigger, client=client, active_only=False)


def images_pass(*, dry_run: bool, trigger: str, client: ZohoPort) -> RunResult:
    from sync.images.run import images_sync

    res = images_sync(dry_run=dry_run, trigger=trigger, client=client)
    return RunResult(entity="images", run_id=res.run_id, dry_run=dry_run, created=res.downloaded + res.deduplicated,
                     unchanged=res.unchanged + res.up_to_date, skipped=res.no_image,
                     failed=res.failed + res.refused, api_calls=res.api_calls,
                     duration_seconds=round(res.duration, 3), status=_status(res), error=res.waiting_reason,
                     extra={"images": res.as_dict(), "resume_at": res.resume_at})


def _status(res: ImageSyncResult) -> str:
    if res.failed:
        return "partial"
    return "deferred" if res.waiting else "completed"
