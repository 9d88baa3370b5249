"""The compare page: every entity in every report (those a compare did not cover say why), a status
that agrees with the entity's recommendation, and "Carry out" only when there is something to carry out."""
from __future__ import annotations

import re

import pytest

from sync.compare.recommend import recommend_all
from sync.compare.report import EntityComparison
from sync.compare.targets import DEFAULT_ENTITIES, valid_names
from sync.models import SyncRun

pytestmark = pytest.mark.django_db
CARRY_OUT = "Carry out recommendations"


def _report(comparisons: list[EntityComparison], *, mode: str = "quick", status: str = "completed",
            error: str = "") -> SyncRun:
    """A finished compare run whose summary is what the compare writes: comparisons and the rules' advice."""
    return SyncRun.objects.create(run_type="compare", status=status, error_message=error, summary={
        "mode": mode, "health": {"score": 90.0, "band": "good"}, "overall_match_pct": 99.0,
        "comparisons": [c.to_dict() for c in comparisons],
        "recommendations": [r.to_dict() for r in recommend_all(comparisons)]})


def _rows(html: str) -> dict[str, list[str]]:
    """Entity -> its cells in the comparisons table."""
    table = re.search(r'<table class="comparisons">.*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr class=\"cmp-[\w-]+\">(.*?)</tr>", table, re.S):
        cells = [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    return rows


def _quick() -> list[EntityComparison]:
    return [EntityComparison(entity=name, zoho_count=100, local_count=100) for name in DEFAULT_ENTITIES]


def test_a_quick_compare_lists_every_entity_and_says_why_the_others_are_not_in_it(staff_client) -> None:
    _report(_quick())
    html = staff_client.get("/tds-admin/compare/").content.decode()
    rows = _rows(html)
    assert list(rows) == valid_names()
    for name in DEFAULT_ENTITIES:
        assert rows[name][5] == "in sync"
    for name in set(valid_names()) - set(DEFAULT_ENTITIES):
        assert rows[name][5] == "not compared" and rows[name][7] == "not in a quick compare: Deep compare covers it"
    assert f"Compared {len(DEFAULT_ENTITIES)} of {len(valid_names())} entities: " \
           "items, stock, images, price_lists, customers, vendors. Not in this report: warehouses," in html
    assert "transfer_orders (a quick compare counts only items, stock, images, price_lists, customers, vendors; " \
           "a deep compare covers every entity)." in html


def test_the_status_says_what_the_recommendation_says(staff_client) -> None:
    comparisons = _quick()
    comparisons[0] = EntityComparison(entity="items", zoho_count=1000, local_count=998)  # 99.8 % match: "ok" before
    comparisons[3] = EntityComparison(entity="price_lists", zoho_count=10, local_count=10, has_cursor=False)
    comparisons[4] = EntityComparison(entity="customers", zoho_count=50, local_count=80)  # local surplus: review
    comparisons[5] = EntityComparison(entity="vendors", zoho_count=0, local_count=0, error="ZohoError: boom")
    _report(comparisons)
    html = staff_client.get("/tds-admin/compare/").content.decode()
    rows = _rows(html)
    assert rows["items"][4:7] == ["99.8", "to sync", "INCREMENTAL_SYNC: incremental pull of items"]
    assert rows["price_lists"][5] == "in sync"  # counts agree: the rules need no pull
    assert rows["customers"][5:7] == ["review", "RECONCILIATION"]
    assert rows["vendors"][5] == "failed" and rows["vendors"][7] == "ZohoError: boom"
    assert CARRY_OUT in html  # items is to be pulled


def test_carry_out_is_offered_only_when_something_is_to_be_done(staff_client) -> None:
    run = _report(_quick())
    html = staff_client.get("/tds-admin/compare/").content.decode()
    assert CARRY_OUT not in html and "Nothing to carry out." in html
    assert "Nothing to do: every entity compared agrees with Zoho." in html
    assert "Plan the recommendations (dry run)" in html  # planning is always possible

    only_review = _quick()
    only_review[4] = EntityComparison(entity="customers", zoho_count=50, local_count=80)
    run.delete()
    _report(only_review)
    html = staff_client.get("/tds-admin/compare/").content.decode()
    assert CARRY_OUT not in html and "Nothing to carry out: what is left needs a person to review it." in html
    assert "review: not carried out" in html


def test_a_failed_or_limited_compare_still_lists_every_entity(staff_client) -> None:
    run = _report([], status="failed", error="ZohoAuthError: refresh token revoked")
    rows = _rows(staff_client.get("/tds-admin/compare/").content.decode())
    assert list(rows) == valid_names()
    assert {r[7] for r in rows.values()} == {"not reached: the compare failed (ZohoAuthError: refresh token revoked)"}
    run.delete()
    _report([EntityComparison(entity="invoices", zoho_count=3, local_count=3, deep=True, identical=3)], mode="deep")
    html = staff_client.get("/tds-admin/compare/").content.decode()
    rows = _rows(html)
    assert rows["invoices"][5] == "in sync"
    assert rows["items"][7] == "not asked for: this compare was limited to some entities"
    assert CARRY_OUT not in html


def test_a_compare_that_carried_out_its_recommendations_lists_the_pulls_on_its_page(staff_client) -> None:
    run = SyncRun.objects.create(run_type="compare_sync", status="partial", summary={"actions": [
        {"entity": "items", "action": "INCREMENTAL_SYNC", "dry_run": False, "synced": 2, "failed": 0, "skipped": 0,
         "api_calls": 3, "message": "incremental pull of items"},
        {"entity": "customers", "action": "FULL_SYNC", "dry_run": False, "synced": 0, "failed": 1, "skipped": 0,
         "api_calls": 1, "message": "", "error": "ZohoError: boom"}, "not an action"]})
    html = staff_client.get(f"/tds-admin/runs/{run.pk}/").content.decode()
    assert "Recommendations carried out" in html
    assert ('<tr class="action-done"><td>items</td><td>INCREMENTAL_SYNC</td><td>2</td><td>0</td><td>0</td>'
            "<td>3</td><td>incremental pull of items</td></tr>") in html
    assert '<tr class="action-failed"><td>customers</td><td>FULL_SYNC</td>' in html and "ZohoError: boom" in html
    pull = SyncRun.objects.create(run_type="incremental", entity="items", status="completed",
                                  summary={"actions": [{"entity": "x"}]})
    assert "Recommendations carried out" not in staff_client.get(f"/tds-admin/runs/{pull.pk}/").content.decode()
