"""What a run is, why it started and where it stands: the one list of each (tds_sync_runs choices).

Code names a run type as ``RunType.STOCK`` rather than the string, so a new kind of run is added
here once and every filter, page and task sees it.
"""
from __future__ import annotations

from django.db import models


class RunType(models.TextChoices):
    FULL = "full"                  # a pull of every record of one entity
    INCREMENTAL = "incremental"    # a pull of what changed since the entity's cursor
    STOCK = "stock"
    IMAGES = "images"
    COMPARE = "compare"
    COMPARE_SYNC = "compare_sync"  # a compare that carries out its recommendations
    QUEUE = "queue"                # a drain of the webhook queue
    ODOO = "odoo"                  # a push of the products to Odoo


class RunTrigger(models.TextChoices):
    MANUAL = "manual"
    SCHEDULE = "schedule"
    WEBHOOK = "webhook"
    API = "api"
    CLI = "cli"
    DEMO = "demo"


class RunStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"
    # Cut short by Zoho's limits (tokens refused, daily quota spent, circuit open): what it
    # committed stays, the rest waits for the time in summary["resume_at"]. Not a failure.
    DEFERRED = "deferred"
    FAILED = "failed"
    # Stopped by an operator: before it started, or at the next batch boundary while running.
    CANCELLED = "cancelled"


PULL_RUN_TYPES = (RunType.FULL, RunType.INCREMENTAL)
COMPARE_TYPES = (RunType.COMPARE, RunType.COMPARE_SYNC)
