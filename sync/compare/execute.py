"""Compare, then carry out the recommendations (``tds_compare --sync``, the scheduled compare+sync).

Order: the list-only pulls first (highest priority first), then stock, then the pulls that cost a
Zoho call per record (documents whose lines need detail calls), then images; so a run that Zoho's
tokens or quota cut short has completed every cheap entity, and stock and images come after the
items action of the same run, as both are read from products that the items pull creates. When
an action is cut short by Zoho's limits ("deferred"), the run stops: the remaining actions are
listed as not reached, with the time to resume, and none of them counts as failed.
RECONCILIATION items are listed for review and never acted on. A dry run builds
the same plan, calls neither Zoho nor the database for writes, and writes no file.
"""
from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from sync.compare.actions import not_reached, run_action
from sync.compare.recommend import NO_SYNC_NEEDED, RECONCILIATION
from sync.compare.report import ActionResult, CompareReport, EntityComparison, Recommendation
from sync.compare.run import compare_run
from sync.entities import DerivedSpec, spec_for
from sync.ledger import RunTracker, run_open
from sync.logfiles import RunLog
from sync.models import RunType
from sync.zoho_port import ZohoPort

ActionHook = Callable[[Recommendation, EntityComparison | None, ActionResult], None]


def execution_order(recs: list[Recommendation]) -> list[Recommendation]:
    """Actionable recommendations: list-only pulls, stock, per-record pulls, images; by priority within each."""
    todo = sorted((r for r in recs if r.action not in (NO_SYNC_NEEDED, RECONCILIATION)), key=lambda r: -r.priority)

    def rank(rec: Recommendation) -> tuple[bool, bool]:
        spec = spec_for(rec.entity)  # a derived name reads records an earlier pull of the run brings
        return spec.per_record_calls, isinstance(spec, DerivedSpec)

    return sorted(todo, key=rank)  # stable: priority order holds within each group


def for_review(recs: list[Recommendation]) -> list[Recommendation]:
    return [r for r in recs if r.action == RECONCILIATION]


def _execute(report: CompareReport, *, dry_run: bool, trigger: str, log: RunLog, hook: ActionHook | None,
             checkpoint: Callable[[], None]) -> None:
    comparisons = {c.entity: c for c in report.comparisons}
    for rec in execution_order(report.recommendations):
        checkpoint()  # an operator's stop takes effect between actions
        if report.deferred:  # Zoho said "not now" to an earlier action: every later call would hear it too
            result = not_reached(rec, resume_at=report.resume_at)
        else:
            result = run_action(rec, dry_run=dry_run, trigger=trigger)
            if result.deferred:
                report.resume_at = result.resume_at
                log.warning("sync cut short by Zoho's limits in %s; resume at %s", rec.entity,
                            result.resume_at or "when the limit resets")
        report.actions.append(result)
        log.info("action %s %s priority=%s synced=%s failed=%s skipped=%s api_calls=%s %s%s",
                 rec.entity, rec.action, rec.priority, result.synced, result.failed, result.skipped,
                 result.api_calls, result.message, f" error={result.error}" if result.error else "")
        if hook:
            hook(rec, comparisons.get(rec.entity), result)
    for rec in for_review(report.recommendations):
        log.warning("review %s RECONCILIATION: %s ids=%s", rec.entity, rec.reason, ",".join(rec.ids[:50]))


def _log_report(report: CompareReport, log: RunLog) -> None:
    log.info("compare health=%.1f %s overall_match=%.1f%% api_calls=%s local_seconds=%.2f", report.health.score,
             report.health.band, report.overall_match, report.api_calls, report.local_seconds)
    for c in report.comparisons:
        log.info("compare %s zoho=%s local=%s diff=%+d match=%.1f%% missing_local=%s missing_in_zoho=%s "
                 "stale=%s%s", c.entity, c.zoho_count, c.local_count, c.difference, c.match_pct,
                 len(c.missing_local), len(c.missing_in_zoho), len(c.stale) + len(c.changed),
                 f" error={c.error}" if c.error else "")
    for r in report.recommendations:
        log.info("recommend %s %s priority=%s reason=%s", r.entity, r.action, r.priority, r.reason)


def _run_counts(run: RunTracker, report: CompareReport) -> None:
    run.count(api_calls=report.api_calls + sum(a.api_calls for a in report.actions),
              processed=sum(a.synced + a.failed + a.skipped for a in report.actions),
              updated=sum(a.synced for a in report.actions), failed=sum(a.failed for a in report.actions),
              skipped=sum(a.skipped for a in report.actions))


def compare_and_sync(
    *, entities: list[str] | None = None, deep: bool = False, sync: bool = False, dry_run: bool = False,
    trigger: str = "cli", client: ZohoPort | None = None, on_report: Callable[[CompareReport], None] | None = None,
    on_action: ActionHook | None = None, progress: Callable[[str], None] | None = None, lines: bool = False,
    run_id: str = "",
) -> CompareReport:
    """One compare (and optionally sync) run: report, logs, summary line, tds_sync_runs row (the
    queued row ``run_id`` when given; a queued dry run keeps its plan there)."""
    log = RunLog(dry_run=dry_run)
    with run_open(run_type=RunType.COMPARE_SYNC if sync else RunType.COMPARE, trigger=trigger, dry_run=dry_run,
                  run_id=run_id, configuration={"entities": entities or "default", "deep": deep, "sync": sync}) as run:
        cid = run.correlation_id
        log.info("compare started entities=%s deep=%s sync=%s dry_run=%s trigger=%s",
                 entities or "default", deep, sync, dry_run, trigger)
        try:
            report = compare_run(entities=entities, deep=deep, client=client, progress=progress, lines=lines)
            report.correlation_id, report.dry_run, report.run_id = cid, dry_run, run.result.run_id
            _log_report(report, log)
            if on_report:
                on_report(report)
            if sync:
                _execute(report, dry_run=dry_run, trigger=trigger, log=log, hook=on_action, checkpoint=run.checkpoint)
        except BaseException as exc:  # the ledger settles the run; this is the compare log's line
            message = f"{type(exc).__name__}: {exc}"
            word = "DEFERRED" if getattr(exc, "waits", False) else "FAILED"  # Zoho said "not now": the ledger agrees
            log.error("compare %s: %s", word.lower(), message)
            log.summary(f"{timezone.now():%Y-%m-%d %H:%M:%S}Z {word} {message} cid={cid}")
            raise
        _run_counts(run, report)
        failed = any(not a.ok for a in report.actions)
        log.summary(report.summary_line())
        stopped = next((a for a in report.actions if a.deferred), None)
        if stopped is not None:
            run.result.error = f"{stopped.entity}: {stopped.message}"[:1000]
        run.finish(status="partial" if failed else "deferred" if report.deferred else "completed",
                   summary=report.to_dict())
    return report
