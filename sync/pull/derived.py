"""stock and images as runs like any other: each is its own service, answering a RunResult.

The registry names these functions as the ``runner`` of its derived specs: the pull runs them as
passes, a queued run continues its row through them, and compare's actions repair the records it
found different through them.
"""
from __future__ import annotations

from collections.abc import Iterable

from sync.ledger import RunResult
from sync.zoho_port import ZohoPort


def stock_pass(*, dry_run: bool, trigger: str, client: ZohoPort | None = None, run_id: str = "",
               item_ids: Iterable[str] | None = None, repair: bool = False) -> RunResult:
    from sync.stock.run import stock_sync

    # A repair rewrites the rows even when Zoho's record did not change: its content hash still
    # matches and the upsert would skip it, though the local quantity was edited outside TDS.
    return stock_sync(dry_run=dry_run, trigger=trigger, client=client, active_only=False, run_id=run_id,
                      item_ids=item_ids, force=repair)


def images_pass(*, dry_run: bool, trigger: str, client: ZohoPort | None = None, run_id: str = "",
                item_ids: Iterable[str] | None = None, repair: bool = False) -> RunResult:
    from sync.images.run import images_sync

    # A repair fetches the missing and changed images compare listed; unchanged ones are not refetched.
    return images_sync(dry_run=dry_run, trigger=trigger, client=client, run_id=run_id, item_ids=item_ids)
