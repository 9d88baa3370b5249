"""The QUICK SUMMARY and AUTO-SYNC text reproduce the original report's layout."""
from __future__ import annotations

from datetime import UTC, datetime

from sync.compare.report import ActionResult, CompareReport, EntityComparison, Health, Recommendation
from sync.management.output.compare import action_lines, comparison_line, summary_lines


def test_entity_lines_match_the_earlier_columns() -> None:
    items = EntityComparison(entity="items", zoho_count=1250, local_count=1240)
    images = EntityComparison(entity="images", zoho_count=850, local_count=780)
    prices = EntityComparison(entity="price_lists", zoho_count=2, local_count=2)
    assert comparison_line(items) == "  ✅ items           Zoho:  1,250 | Local:  1,240 | Diff:    +10 | Match:  99.2%"
    assert comparison_line(images) == "  ⚠️  images         Zoho:    850 | Local:    780 | Diff:    +70 | Match:  91.8%"
    assert comparison_line(prices) == "  ✅ price_lists     Zoho:      2 | Local:      2 | Diff:     +0 | Match: 100.0%"


def test_summary_header_and_deep_details() -> None:
    c = EntityComparison(entity="items", zoho_count=3, local_count=3, deep=True, identical=2, stale=["1"])
    report = CompareReport(started_at=datetime(2026, 1, 1, tzinfo=UTC), deep=True, comparisons=[c],
                           health=Health(score=66.7, band="CRITICAL"), recommendations=[])
    lines = summary_lines(report)
    assert lines[1:3] == ["Health Score: 66.7/100 (CRITICAL)", "Overall Match: 66.7%"]
    assert lines[-1].startswith("  ❌ items")
    assert lines[-1].endswith("Match:  66.7% | missing-local: 0 | missing-in-Zoho: 0 | stale: 1")


def test_action_block_matches_the_earlier_system() -> None:
    rec = Recommendation(entity="items", action="INCREMENTAL_SYNC", priority=8, reason="r")
    c = EntityComparison(entity="items", zoho_count=1250, local_count=1240)
    lines = action_lines(rec, c, ActionResult(entity="items", action="INCREMENTAL_SYNC", dry_run=False, synced=10))
    assert lines[1:] == ["📦 ITEMS: INCREMENTAL_SYNC", "   Difference: +10 items", "   Priority: 8/10",
                         "   ✅ Synced: 10 | Failed: 0 | Skipped: 0"]
