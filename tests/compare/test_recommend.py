"""Recommendation rules and priorities, one case per rule (see sync/compare/recommend.py)."""
from __future__ import annotations

from sync.compare.recommend import priority_for, recommend
from sync.compare.report import EntityComparison


def deep(entity: str = "items", *, identical: int = 100, **lists: list[str]) -> EntityComparison:
    c = EntityComparison(entity=entity, zoho_count=0, local_count=0, deep=True, identical=identical, **lists)
    c.zoho_count = identical + len(c.missing_local) + len(c.stale) + len(c.changed)
    c.local_count = identical + len(c.missing_in_zoho) + len(c.stale) + len(c.changed)
    return c


def test_priorities_match_the_earlier_examples() -> None:
    assert priority_for("INCREMENTAL_SYNC", 99.2) == 8  # items in
    assert priority_for("DOWNLOAD_MISSING", 91.8) == 6  # images in
    assert priority_for("FULL_SYNC", 50.0) == 10
    assert priority_for("NO_SYNC_NEEDED", 10.0) == 1


def test_in_sync_needs_nothing() -> None:
    rec = recommend(deep())
    assert (rec.action, rec.priority) == ("NO_SYNC_NEEDED", 1)


def test_new_and_changed_records_after_the_cursor_need_an_incremental_pull() -> None:
    rec = recommend(deep(missing_local=["n1"], stale=["s1", "s2"]))
    assert (rec.action, rec.priority) == ("INCREMENTAL_SYNC", 8)
    assert sorted(rec.ids) == ["n1", "s1", "s2"]
    assert rec.reason == "1 new in Zoho, 2 changed in Zoho since the last pull"


def test_records_older_than_the_cursor_need_a_full_pull() -> None:
    rec = recommend(deep(missing_local=["old"], behind_cursor=["old"]))
    assert rec.action == "FULL_SYNC"
    assert "older than the cursor" in rec.reason


def test_deleted_in_zoho_needs_a_full_pass_and_a_mass_disappearance_needs_review() -> None:
    few = recommend(deep(missing_in_zoho=["d1", "d2"]))
    assert (few.action, few.ids) == ("FULL_SYNC", ["d1", "d2"])
    many = recommend(deep(identical=10, missing_in_zoho=[f"x{i}" for i in range(5)]))
    assert many.action == "RECONCILIATION"
    assert "review" in many.reason


def test_never_pulled_needs_a_full_pull() -> None:
    c = EntityComparison(entity="customers", zoho_count=40, local_count=0, has_cursor=False)
    assert recommend(c).action == "FULL_SYNC"


def test_quick_mode_uses_counts() -> None:
    more = recommend(EntityComparison(entity="invoices", zoho_count=110, local_count=100))
    assert (more.action, more.reason) == ("INCREMENTAL_SYNC", "Zoho has +10 records against the mirror")
    fewer = recommend(EntityComparison(entity="invoices", zoho_count=98, local_count=100))
    assert fewer.action == "FULL_SYNC"


def test_stock_and_images_have_their_own_actions() -> None:
    stock = recommend(deep("stock", stale=["a"], missing_local=["b"]))
    assert (stock.action, stock.ids, stock.plan) == ("INCREMENTAL_SYNC", ["a", "b"], "stock sync of 2 items")
    images = recommend(deep("images", missing_local=["m"], changed=["c"]))
    assert (images.action, images.ids) == ("DOWNLOAD_MISSING", ["c", "m"])
    removed = recommend(deep("images", missing_in_zoho=["gone"]))
    assert removed.action == "RECONCILIATION"


def test_a_failed_comparison_is_flagged_for_review() -> None:
    rec = recommend(EntityComparison(entity="bills", zoho_count=0, local_count=3, error="ZohoError: boom"))
    assert (rec.action, rec.reason) == ("RECONCILIATION", "comparison failed: ZohoError: boom")
