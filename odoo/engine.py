"""What the odoo app adds to the sync engine: its kind of queued run and its schedule.

The engine (sync/) knows nothing of Odoo; ``OdooConfig.ready`` registers these with it, so the
dashboard's trigger, a retry, the budget and ``tds_scheduler`` treat an Odoo push as one of theirs.
"""
from __future__ import annotations

from django.conf import settings

from sync.ledger import RunKind, run_kind_register
from sync.models import RunType
from sync.schedules import PREFIX, ScheduleSpec, schedule_register

ODOO_SYNC = PREFIX + "odoo sync"
# Held under "products": one push pending or running at a time, whoever asked for it.
ODOO_RUNS = RunKind(name="odoo", task="odoo.tasks.api_odoo", run_type=RunType.ODOO, entity="products",
                    label="Odoo push")


def odoo_schedule() -> ScheduleSpec:
    # django-q2 counts in minutes, ODOO_SYNC_INTERVAL in seconds (at least 60).
    return ScheduleSpec(ODOO_SYNC, "odoo.tasks.scheduled_odoo_sync", minutes=max(1, settings.ODOO_SYNC_INTERVAL // 60),
                        run_types=(ODOO_RUNS.run_type,))


def engine_register() -> None:
    run_kind_register(ODOO_RUNS)
    schedule_register(ODOO_SYNC, odoo_schedule)
