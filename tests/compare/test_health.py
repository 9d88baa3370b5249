"""Health score: the documented formula and bands, from plain inputs and from the tds_* tables."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sync.compare.health import HealthInputs, band_for, health_inputs, health_score
from sync.models import DeadLetter, SyncCursor, SyncRun


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, "EXCELLENT"), (95, "EXCELLENT"), (94.9, "GOOD"), (90, "GOOD"), (89.9, "WARNING"), (80, "WARNING"),
     (79.9, "CRITICAL"), (0, "CRITICAL")],
)
def test_bands_follow_the_earlier_system(score: float, band: str) -> None:
    assert band_for(score) == band


def test_a_perfect_mirror_scores_100() -> None:
    health = health_score(match_pct=100.0, inputs=HealthInputs(cursor_age_hours={"items": 0.5}))
    assert (health.score, health.band) == (100.0, "EXCELLENT")


def test_each_penalty_is_counted_and_capped() -> None:
    inputs = HealthInputs(dead_letters_transient=3, dead_letters_permanent=2, failed_runs=1,
                          cursor_age_hours={"items": 13.0, "customers": 25.0, "vendors": 1.0, "stock": None},
                          interval_hours=6)
    health = health_score(match_pct=99.0, inputs=inputs)
    # 99 - (3*1 + 2*2) - 6 - (3 + 6) = 77
    assert health.score == 77.0
    assert health.band == "CRITICAL"
    assert health.components["staleness"]["stale_entities"] == ["customers", "items"]
    capped = health_score(match_pct=100.0, inputs=HealthInputs(dead_letters_permanent=500, failed_runs=40))
    assert capped.score == 60.0  # 100 - 20 - 20


def test_single_signals_cost_a_band_repeated_ones_two() -> None:
    def band(**kwargs: object) -> str:
        return health_score(match_pct=100.0, inputs=HealthInputs(**kwargs)).band

    assert band(failed_runs=1) == "GOOD"
    assert band(dead_letters_transient=5) == "EXCELLENT"
    assert band(cursor_age_hours={"items": 30.0}) == "GOOD"
    assert band(failed_runs=3) == "WARNING"
    assert band(dead_letters_transient=11) == "WARNING"
    assert band(failed_runs=3, dead_letters_permanent=10) == "CRITICAL"


@pytest.mark.django_db
def test_inputs_are_read_from_the_tds_tables() -> None:
    now = timezone.now()
    DeadLetter.objects.create(entity="items", error_class="transient", error_message="x")
    DeadLetter.objects.create(entity="items", error_class="permanent", error_message="x")
    DeadLetter.objects.create(entity="items", error_class="permanent", error_message="x", resolved=True)
    SyncRun.objects.create(status=SyncRun.Status.FAILED)
    old = SyncRun.objects.create(status=SyncRun.Status.FAILED)
    SyncRun.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=2))
    SyncCursor.objects.create(entity="items", last_incremental_run_at=now - timedelta(hours=30),
                              last_full_run_at=now - timedelta(hours=50))
    inputs = health_inputs(entities=["items", "stock", "customers"],
                           cursor_entities={"items": "items", "stock": "items", "customers": "customers"}, now=now)
    assert (inputs.dead_letters_transient, inputs.dead_letters_permanent, inputs.failed_runs) == (1, 1, 1)
    assert inputs.cursor_age_hours["items"] == pytest.approx(30.0)
    assert inputs.cursor_age_hours["stock"] == pytest.approx(30.0)
    assert inputs.cursor_age_hours["customers"] is None


def test_the_earlier_example_scores_what_it_printed() -> None:
    from sync.compare.health import weighted_match

    match = weighted_match({"items": 99.2, "stock": 99.6, "images": 91.8, "price_lists": 100.0})
    health = health_score(match_pct=match, inputs=HealthInputs())
    assert (health.score, health.band) == (98.5, "EXCELLENT")


def test_entities_needing_a_full_pass_or_review_cost_points() -> None:
    health = health_score(match_pct=100.0, inputs=HealthInputs(structural=["items", "customers"]))
    assert health.score == 94.0
    assert health.components["structure"] == {"entities": ["customers", "items"], "penalty": 6.0}
