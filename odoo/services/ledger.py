"""The run ledger for Odoo pushes: each run is a tds_sync_runs row of run_type "odoo".

The only module of the odoo app that imports the sync engine's RunTracker, so the ledger can
be re-pointed in one place.
"""
from __future__ import annotations

from typing import Any

from sync.ledger import RunTracker, run_open
from sync.models import RunType

RUN_TYPE = RunType.ODOO
ENTITY = "products"


def ledger_open(*, trigger: str, dry_run: bool, configuration: dict[str, Any], run_id: str = "") -> RunTracker:
    return run_open(entity=ENTITY, run_type=RUN_TYPE, trigger=trigger, dry_run=dry_run,
                    configuration=configuration, run_id=run_id)


def ledger_runs(limit: int = 50) -> Any:
    """The latest Odoo runs, newest first (a queryset of SyncRun)."""
    from sync.models import SyncRun

    return SyncRun.objects.filter(run_type=RUN_TYPE).order_by("-created_at")[:limit]
