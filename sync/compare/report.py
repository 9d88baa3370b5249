"""The compare report: per-entity results, recommendations, actions, and the JSON schema.

Plain dataclasses so the same object feeds the command's QUICK SUMMARY, the
``--output`` JSON file, the run's ``summary`` column and the dashboard.
JSON schema ``tds.compare/1`` is documented in the README ("Compare report JSON").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCHEMA = "tds.compare/1"
# Status marks follow the original report: ✅ in sync, ⚠️ drifting, ❌ far off or failed.
OK_MATCH = 95.0
BAD_MATCH = 80.0


@dataclass
class EntityComparison:
    """One entity, Zoho side against the local mirror."""

    entity: str
    zoho_count: int
    local_count: int
    deep: bool = False
    identical: int | None = None
    missing_local: list[str] = field(default_factory=list)
    missing_in_zoho: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    # Zoho ids of missing/stale records that an incremental pull would not
    # reach (their Zoho last_modified_time is older than the cursor watermark).
    behind_cursor: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    has_cursor: bool = True
    api_calls: int = 0
    error: str = ""

    @property
    def difference(self) -> int:
        return self.zoho_count - self.local_count

    @property
    def match_pct(self) -> float:
        """Deep: identical records over the union of both sides. Quick: smaller count over larger."""
        if self.error:
            return 0.0
        if self.deep and self.identical is not None:
            union = self.identical + len(self.missing_local) + len(self.missing_in_zoho) + self.differing
            return 100.0 if union == 0 else 100.0 * self.identical / union
        top = max(self.zoho_count, self.local_count)
        return 100.0 if top == 0 else 100.0 * min(self.zoho_count, self.local_count) / top

    @property
    def differing(self) -> int:
        """Records present on both sides that are not identical (stale or changed)."""
        return len(set(self.stale) | set(self.changed))

    @property
    def in_sync(self) -> bool:
        if self.error:
            return False
        if self.deep:
            return not (self.missing_local or self.missing_in_zoho or self.stale or self.changed)
        return self.zoho_count == self.local_count

    @property
    def status(self) -> str:
        if self.error or self.match_pct < BAD_MATCH:
            return "bad"
        return "ok" if self.match_pct >= OK_MATCH else "warn"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "entity": self.entity,
            "zoho_count": self.zoho_count,
            "local_count": self.local_count,
            "difference": self.difference,
            "match_pct": round(self.match_pct, 2),
            "status": self.status,
            "deep": self.deep,
            "api_calls": self.api_calls,
            "error": self.error,
        }
        if self.deep:
            data["identical"] = self.identical
            for name in ("missing_local", "missing_in_zoho", "stale", "changed", "behind_cursor"):
                ids = getattr(self, name)
                data[name] = {"count": len(ids), "ids": sorted(ids)}
        return data


@dataclass
class Recommendation:
    entity: str
    action: str
    priority: int
    reason: str
    ids: list[str] = field(default_factory=list)
    # What --sync will run for it ("" when nothing runs: review or no-op).
    plan: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "action": self.action,
            "priority": self.priority,
            "reason": self.reason,
            "plan": self.plan,
            "ids": sorted(self.ids),
        }


@dataclass
class ActionResult:
    entity: str
    action: str
    dry_run: bool
    synced: int = 0
    failed: int = 0
    skipped: int = 0
    api_calls: int = 0
    run_id: str = ""
    message: str = ""
    error: str = ""
    # Cut short, or never started, because Zoho said "not now" (tokens, daily quota, circuit): not a
    # failure; resume_at says when the rest can run ("" when Zoho did not say).
    deferred: bool = False
    resume_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and self.failed == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "action": self.action,
            "dry_run": self.dry_run,
            "synced": self.synced,
            "failed": self.failed,
            "skipped": self.skipped,
            "api_calls": self.api_calls,
            "run_id": self.run_id,
            "message": self.message,
            "error": self.error,
            "deferred": self.deferred,
            "resume_at": self.resume_at,
        }


@dataclass
class Health:
    score: float
    band: str
    components: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "band": self.band, "components": self.components}


def overall_match(comparisons: list[EntityComparison]) -> float:
    """Mean of the entity match percentages: a small broken entity (price lists) still shows."""
    if not comparisons:
        return 100.0
    return sum(c.match_pct for c in comparisons) / len(comparisons)


@dataclass
class CompareReport:
    started_at: datetime
    deep: bool
    comparisons: list[EntityComparison]
    health: Health
    recommendations: list[Recommendation]
    api_calls: int = 0
    api_calls_by_endpoint: dict[str, int] = field(default_factory=dict)
    duration_seconds: float = 0.0
    http_seconds: float = 0.0
    correlation_id: str = ""
    run_id: str = ""
    dry_run: bool = False
    actions: list[ActionResult] = field(default_factory=list)
    resume_at: str = ""  # set when Zoho's limits cut --sync short: when the rest can run

    @property
    def deferred(self) -> bool:
        return any(a.deferred for a in self.actions)

    @property
    def overall_match(self) -> float:
        return overall_match(self.comparisons)

    @property
    def local_seconds(self) -> float:
        return max(0.0, self.duration_seconds - self.http_seconds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.started_at.isoformat(),
            "correlation_id": self.correlation_id,
            "run_id": self.run_id,
            "mode": "deep" if self.deep else "quick",
            "dry_run": self.dry_run,
            "health": self.health.to_dict(),
            "overall_match_pct": round(self.overall_match, 2),
            "api_calls": {"total": self.api_calls, "by_endpoint": dict(self.api_calls_by_endpoint)},
            "timings": {
                "duration_seconds": round(self.duration_seconds, 3),
                "http_seconds": round(self.http_seconds, 3),
                "local_seconds": round(self.local_seconds, 3),
            },
            "comparisons": [c.to_dict() for c in self.comparisons],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "actions": [a.to_dict() for a in self.actions],
            "deferred": self.deferred,
            "resume_at": self.resume_at,
        }

    def summary_line(self) -> str:
        """One line for logs/tds_auto_sync_summary.txt."""
        parts = [f"{c.entity}={c.match_pct:.1f}%" for c in self.comparisons]
        acted = sum(a.synced for a in self.actions)
        failed = sum(a.failed for a in self.actions) + sum(1 for a in self.actions if a.error)
        deferred = f"deferred resume_at={self.resume_at or '-'} " if self.deferred else ""
        return (
            f"{self.started_at:%Y-%m-%d %H:%M:%S}Z mode={'deep' if self.deep else 'quick'} "
            f"health={self.health.score:.1f} {self.health.band} match={self.overall_match:.1f}% "
            f"{' '.join(parts)} actions={len(self.actions)} synced={acted} failed={failed} "
            f"{deferred}"
            f"api_calls={self.api_calls} run={self.run_id or '-'} cid={self.correlation_id or '-'}"
        )
