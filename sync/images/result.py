"""The result of an image sync run and how it is closed in the run ledger."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sync.images.fetch import Outcome
from sync.images.plan import image_coverage
from sync.ledger import RunTracker, resume_time
from sync.models.tds import SyncLog, SyncRun

SUMMARY_LIST_LIMIT = 50


@dataclass
class ImageSyncResult:
    candidates: int = 0
    up_to_date: int = 0
    downloaded: int = 0
    deduplicated: int = 0
    unchanged: int = 0
    no_image: int = 0
    refused: int = 0
    failed: int = 0
    waiting: int = 0  # not fetched because Zoho said "not now": the run is deferred until resume_at
    cleared: int = 0
    files_removed: int = 0
    api_calls: int = 0
    bytes: int = 0
    duration: float = 0.0
    dry_run: bool = False
    run_id: str = ""
    resume_at: str = ""
    waiting_reason: str = ""
    refusals: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    would_fetch: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.waiting == 0

    @property
    def images_per_second(self) -> float:
        done = self.downloaded + self.deduplicated + self.unchanged
        return done / self.duration if self.duration > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok, "images_per_second": round(self.images_per_second, 1)}

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.kind, getattr(self, outcome.kind) + 1)
        self.bytes += outcome.size
        entry = {"item_id": outcome.job.item_id, "reason": outcome.reason, "detail": outcome.detail}
        if outcome.kind == "refused":
            self.refusals.append(entry)
        elif outcome.kind == "failed":
            self.failures.append(entry)
        elif outcome.kind == "waiting" and not self.waiting_reason:
            self.waiting_reason = f"{outcome.reason}: {outcome.detail}"
            if outcome.resume_epoch is not None:
                self.resume_at = resume_time(outcome.resume_epoch)



def run_configuration(*, concurrency: int, force: bool, item_ids: Iterable[str] | None) -> dict[str, Any]:
    return {"concurrency": concurrency, "force": force, "items": list(item_ids) if item_ids is not None else None}


def run_finish(run: RunTracker, result: ImageSyncResult, *, error: str = "") -> None:
    """Close the image run in the ledger: counters, summary (coverage too), one log row per problem."""
    run.count(processed=result.candidates, created=result.downloaded,
              unchanged=result.unchanged + result.deduplicated + result.up_to_date, skipped=result.no_image,
              failed=result.refused + result.failed, api_calls=result.api_calls)
    summary = result.as_dict() | {"coverage": image_coverage().as_dict()}
    for key in ("refusals", "failures", "would_fetch"):  # the full lists are in the run's SyncLog rows
        summary[key] = summary[key][:SUMMARY_LIST_LIMIT]
    if run.run is not None:
        _write_logs(run.run, result)
    run.finish(error=error or result.waiting_reason or None, status=_run_status(result, error),
               summary={"images": summary, "resume_at": result.resume_at}, log_summary=False)


def _run_status(result: ImageSyncResult, error: str) -> str:
    if error:
        return SyncRun.Status.FAILED
    if result.failed or result.refused:
        return SyncRun.Status.PARTIAL
    if result.waiting:
        return SyncRun.Status.DEFERRED
    return SyncRun.Status.COMPLETED


def _write_logs(run: SyncRun, result: ImageSyncResult) -> None:
    logs = [SyncLog(run=run, level="WARNING", entity="images", zoho_id=r["item_id"],
                    message=f"image refused: {r['reason']}", extra=r, correlation_id=run.correlation_id)
            for r in result.refusals]
    logs += [SyncLog(run=run, level="ERROR", entity="images", zoho_id=f["item_id"],
                     message=f"image download failed: {f['reason']}", extra=f, correlation_id=run.correlation_id)
             for f in result.failures]
    SyncLog.objects.bulk_create(logs, batch_size=500)
