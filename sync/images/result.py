"""The figures of an image sync run and how they close its run in the ledger.

``images_sync`` answers the ledger's RunResult, like every other run: the row and the result are
one (the tracker's), counted here once. ``ImageSyncResult`` is the image detail beside them, kept in
the result's ``extra["images"]`` (lists cut to SUMMARY_LIST_LIMIT) and read back by ``image_figures``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sync.images.fetch import Outcome
from sync.images.plan import image_coverage
from sync.ledger import LogLine, RunResult, RunTracker, resume_time
from sync.models.tds import SyncRun

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


def run_fold(run: RunTracker, result: ImageSyncResult) -> None:
    """Fold the image figures into their run as it closes: counters, summary (coverage too), one log
    line per problem. What the run returns is what its row holds.

    A deduplicated image (its bytes already stored for another product) costs a call but stores no
    file: unchanged, like an image whose bytes did not change, and like one that was up to date."""
    created, unchanged = result.downloaded, result.unchanged + result.deduplicated + result.up_to_date
    failed = result.refused + result.failed
    run.count(processed=created + unchanged + result.no_image + failed, created=created, unchanged=unchanged,
              skipped=result.no_image, failed=failed)
    run.result.api_calls = result.api_calls
    summary = result.as_dict() | {"coverage": image_coverage().as_dict()}
    for key in ("refusals", "failures", "would_fetch"):  # the full lists are in the run's SyncLog rows
        summary[key] = summary[key][:SUMMARY_LIST_LIMIT]
    run.result.extra = {"images": summary, "resume_at": result.resume_at}
    run.log_many([LogLine(level="WARNING", zoho_id=r["item_id"], message=f"image refused: {r['reason']}", extra=r)
                  for r in result.refusals]
                 + [LogLine(level="ERROR", zoho_id=f["item_id"], message=f"image download failed: {f['reason']}",
                            extra=f) for f in result.failures])


def run_status(result: ImageSyncResult) -> str:
    if result.failed or result.refused:
        return SyncRun.Status.PARTIAL
    if result.waiting:
        return SyncRun.Status.DEFERRED
    return SyncRun.Status.COMPLETED


def image_figures(result: RunResult) -> ImageSyncResult:
    """The image detail of an image run's result (its lists cut to SUMMARY_LIST_LIMIT)."""
    summary = result.extra.get("images") or {}
    return ImageSyncResult(**{f.name: summary[f.name] for f in fields(ImageSyncResult) if f.name in summary})
