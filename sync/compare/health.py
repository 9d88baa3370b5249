"""Health score 0-100 for the compare report.

score = data match       weighted mean of the entity match percentages; images weigh 1/2
                         (a missing picture matters less than a missing record)
        - structure      3 per entity that needs a full pass or a review (FULL_SYNC or
                         RECONCILIATION: deletions, gaps behind the cursor, never pulled), at most 12
        - dead letters   1 per open transient, 2 per open permanent dead letter, at most 20
        - failed runs    6 per sync run that failed in the last 24 hours, at most 20; a run cut
                         short by Zoho's limits ("deferred": tokens refused, daily quota, open
                         circuit) waited, it did not fail, and costs nothing
        - staleness      per compared entity whose cursor is older than twice the compare
                         interval (TDS_COMPARE_INTERVAL_HOURS): 3, or 6 when older than
                         four times it; at most 15
clamped to 0..100 and rounded to one decimal.

Bands: 95-100 EXCELLENT, 90-94 GOOD, 80-89 WARNING, below 80 CRITICAL.
The earlier auto-sync's own example (items 99.2 %, stock 99.6 %, images 91.8 %, price lists 100 %,
incremental work only) scores 98.5 EXCELLENT, as that system printed it. Matching data sets the
ceiling. A single failed run, a few dead letters or one entity not pulled for a day
cost a few points (EXCELLENT becomes GOOD at worst); repeated failures (2+) or a
backlog of 11+ dead letters take even a perfect mirror to WARNING; those together,
or with drifting data, make it CRITICAL, which is how an operator would read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from sync.compare.report import Health
from sync.entities import DERIVED

DLQ_TRANSIENT_POINTS = 1.0
DLQ_PERMANENT_POINTS = 2.0
DLQ_CAP = 20.0
FAILED_RUN_POINTS = 6.0
FAILED_RUN_CAP = 20.0
FAILED_RUN_WINDOW = timedelta(hours=24)
STALE_POINTS = 3.0
VERY_STALE_POINTS = 6.0
STALE_CAP = 15.0
STRUCTURAL_POINTS = 3.0
STRUCTURAL_CAP = 12.0


def match_weight(entity: str) -> float:
    """An entity's weight in the data match: the registry's for a derived name, else 1."""
    derived = DERIVED.get(entity)
    return derived.match_weight if derived is not None else 1.0


@dataclass
class HealthInputs:
    dead_letters_transient: int = 0
    dead_letters_permanent: int = 0
    failed_runs: int = 0
    # entity -> hours since its last pull (None: never pulled)
    cursor_age_hours: dict[str, float | None] = field(default_factory=dict)
    interval_hours: float = 6.0
    # entities whose recommendation is FULL_SYNC or RECONCILIATION
    structural: list[str] = field(default_factory=list)


def weighted_match(matches: dict[str, float]) -> float:
    """{entity: match %} -> the weighted mean used by the score (100 when nothing is compared)."""
    total = sum(match_weight(e) for e in matches)
    if not total:
        return 100.0
    return sum(match_weight(e) * pct for e, pct in matches.items()) / total


def band_for(score: float) -> str:
    if score >= 95:
        return "EXCELLENT"
    if score >= 90:
        return "GOOD"
    if score >= 80:
        return "WARNING"
    return "CRITICAL"


def _staleness_penalty(inputs: HealthInputs) -> tuple[float, list[str]]:
    points, stale = 0.0, []
    for entity, age in inputs.cursor_age_hours.items():
        # A never-pulled entity already shows as a 0 % match; do not count it twice.
        if age is None or age <= 2 * inputs.interval_hours:
            continue
        points += VERY_STALE_POINTS if age > 4 * inputs.interval_hours else STALE_POINTS
        stale.append(entity)
    return min(points, STALE_CAP), sorted(stale)


def health_score(*, match_pct: float, inputs: HealthInputs) -> Health:
    """Pure scoring: the documented formula above."""
    dlq = min(
        DLQ_CAP,
        inputs.dead_letters_transient * DLQ_TRANSIENT_POINTS + inputs.dead_letters_permanent * DLQ_PERMANENT_POINTS,
    )
    failed = min(FAILED_RUN_CAP, inputs.failed_runs * FAILED_RUN_POINTS)
    stale_points, stale_entities = _staleness_penalty(inputs)
    structure = min(STRUCTURAL_CAP, STRUCTURAL_POINTS * len(inputs.structural))
    score = round(max(0.0, min(100.0, match_pct - structure - dlq - failed - stale_points)), 1)
    components = {
        "match_pct": round(match_pct, 2),
        "structure": {"entities": sorted(inputs.structural), "penalty": structure},
        "dead_letters": {
            "transient": inputs.dead_letters_transient,
            "permanent": inputs.dead_letters_permanent,
            "penalty": dlq,
        },
        "failed_runs_24h": {"count": inputs.failed_runs, "penalty": failed},
        "staleness": {
            "stale_entities": stale_entities, "interval_hours": inputs.interval_hours, "penalty": stale_points,
        },
    }
    return Health(score=score, band=band_for(score), components=components)


def health_inputs(*, entities: list[str], cursor_entities: dict[str, str], now: datetime | None = None) -> HealthInputs:
    """Read the signals from the tds_* tables: three small queries.

    ``cursor_entities`` maps a compared entity to the cursor that tracks it
    (stock and images are tracked by their own cursors when the engine keeps them).
    """
    from sync.config import config_get
    from sync.models import DeadLetter, SyncCursor, SyncRun

    now = now or timezone.now()
    dlq = DeadLetter.objects.filter(resolved=False).aggregate(
        transient=Count("id", filter=Q(error_class=DeadLetter.ErrorClass.TRANSIENT)),
        permanent=Count("id", filter=Q(error_class=DeadLetter.ErrorClass.PERMANENT)),
    )
    # Only FAILED: a DEFERRED run (cut short by Zoho's limits) is waiting for Zoho, not failing.
    failed = SyncRun.objects.filter(status=SyncRun.Status.FAILED, created_at__gte=now - FAILED_RUN_WINDOW).count()
    cursors = {
        c.entity: max(filter(None, [c.last_full_run_at, c.last_incremental_run_at]), default=None)
        for c in SyncCursor.objects.filter(entity__in=set(cursor_entities.values()))
    }
    ages: dict[str, float | None] = {}
    for entity in entities:
        last = cursors.get(cursor_entities.get(entity, entity))
        ages[entity] = None if last is None else (now - last).total_seconds() / 3600
    return HealthInputs(
        dead_letters_transient=dlq["transient"],
        dead_letters_permanent=dlq["permanent"],
        failed_runs=failed,
        cursor_age_hours=ages,
        interval_hours=float(config_get("TDS_COMPARE_INTERVAL_HOURS")),
    )
