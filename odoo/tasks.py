"""django-q2 task functions of the Odoo target (stable dotted paths: schedule rows store them)."""
from __future__ import annotations

import logging

logger = logging.getLogger("odoo")


def api_odoo(*, run_id: str, dry_run: bool = False) -> dict:
    """The dashboard's Odoo push of the products, continuing the pending run ``run_id``."""
    from odoo.services.push import products_push
    from sync.jobs import job_run

    return job_run(run_id, lambda: products_push(dry_run=dry_run, trigger="manual", run_id=run_id))


def scheduled_odoo_sync(*, dry_run: bool = False) -> dict:
    """One Odoo push under the schedule's lock: a run still going makes this one skip."""
    from django.conf import settings

    from odoo.engine import ODOO_SYNC
    from odoo.errors import OdooError
    from odoo.services.push import products_push
    from odoo.services.status import heartbeat_beat
    from sync.schedules import run_guarded

    if not settings.ODOO_URL:
        # Not configured: no run row, so an unused target never shows as failed runs.
        return {"skipped": True, "reason": "ODOO_URL is not set"}
    heartbeat_beat(interval=settings.ODOO_SYNC_INTERVAL, source="django-q2 schedule")

    def job() -> dict:
        try:
            return products_push(dry_run=dry_run, trigger="schedule").as_dict()
        except OdooError as exc:  # the failed run is in the ledger; the task result says why
            logger.error("scheduled Odoo sync failed: %s", exc)
            return {"ok": False, "error": str(exc)}

    return run_guarded(ODOO_SYNC, job)
