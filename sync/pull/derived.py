"""stock and images as entity passes: each is its own service, wrapped to answer like a pull.

The registry names these functions as the ``runner`` of its derived specs.
"""
from __future__ import annotations

from sync.images.result import as_run_result
from sync.ledger import RunResult
from sync.zoho_port import ZohoPort


def stock_pass(*, dry_run: bool, trigger: str, client: ZohoPort, run_id: str = "") -> RunResult:
    from sync.stock.run import stock_sync

    return stock_sync(dry_run=dry_run, trigger=trigger, client=client, active_only=False, run_id=run_id)


def images_pass(*, dry_run: bool, trigger: str, client: ZohoPort, run_id: str = "") -> RunResult:
    from sync.images.run import images_sync

    return as_run_result(images_sync(dry_run=dry_run, trigger=trigger, client=client, run_id=run_id))
