"""Carry out one recommendation through the existing services: the pull engine for
records, a derived name's own service (its registry ``runner``: the stock sync, the image
sync) for the others. Nothing here talks to Zoho or writes rows itself; a dry run only
describes what would run.
"""
from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

from sync import entities
from sync.compare.recommend import DOWNLOAD_MISSING, FULL_SYNC, INCREMENTAL_SYNC
from sync.compare.report import ActionResult, Recommendation


def describe(rec: Recommendation) -> str:
    """The exact plan, as printed by --sync --dry-run."""
    ids = f" (Zoho ids: {', '.join(rec.ids[:10])}{' …' if len(rec.ids) > 10 else ''})" if rec.ids else ""
    return f"{rec.plan or rec.action.lower()}{ids}"


def run_action(rec: Recommendation, *, dry_run: bool, trigger: str) -> ActionResult:
    if dry_run:
        return ActionResult(entity=rec.entity, action=rec.action, dry_run=True, skipped=0, message=describe(rec))
    try:
        derived = entities.DERIVED.get(rec.entity)
        if derived is not None and rec.action in (DOWNLOAD_MISSING, FULL_SYNC, INCREMENTAL_SYNC):
            return _derived(derived, rec, trigger=trigger)
        if rec.action in (FULL_SYNC, INCREMENTAL_SYNC):
            return _pull(rec, trigger=trigger)
    except Exception as exc:  # one failed action must not stop the others; the error is reported
        return ActionResult(entity=rec.entity, action=rec.action, dry_run=False, message=describe(rec),
                            error=f"{type(exc).__name__}: {exc}")
    return ActionResult(entity=rec.entity, action=rec.action, dry_run=False, message="nothing to run")


def _derived(spec: entities.DerivedSpec, rec: Recommendation, *, trigger: str) -> ActionResult:
    """Stock, images: their own service, on exactly the records compare found different."""
    runner = import_string(spec.runner)
    return _from_run(rec, runner(item_ids=rec.ids, repair=True, dry_run=False, trigger=trigger))


def _pull(rec: Recommendation, *, trigger: str) -> ActionResult:
    from sync.pull.run import pull_entity

    result = pull_entity(entity=rec.entity, full=rec.action == FULL_SYNC, trigger=trigger)
    return _from_run(rec, result)


def _from_run(rec: Recommendation, result: Any) -> ActionResult:
    """Map a run's result (counts like a tds_sync_runs row) onto Synced | Failed | Skipped."""
    synced = result.created + result.updated + getattr(result, "deleted", 0)
    status = getattr(result, "status", "completed")
    error = getattr(result, "error", "") if status == "failed" else ""
    deferred = status == "deferred"
    return ActionResult(
        entity=rec.entity, action=rec.action, dry_run=False, synced=synced, failed=result.failed,
        skipped=result.skipped + result.unchanged, api_calls=result.api_calls,
        run_id=str(getattr(result, "run_id", "") or ""), error=error or "",
        message=f"{describe(rec)}; cut short: {result.error}" if deferred else describe(rec),
        deferred=deferred, resume_at=str(result.extra.get("resume_at") or "") if deferred else "",
    )


def not_reached(rec: Recommendation, *, resume_at: str) -> ActionResult:
    """An action --sync did not start because Zoho's limits stopped an earlier one."""
    return ActionResult(entity=rec.entity, action=rec.action, dry_run=False, deferred=True, resume_at=resume_at,
                        message=f"{describe(rec)}; not reached: Zoho's limits stopped the run")
