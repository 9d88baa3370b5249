"""Stock and images are treated apart only through their registry entries (DerivedSpec): no module
of compare, the stock sync or the dashboard's triggers names them to decide what to do."""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from sync import entities
from sync.compare.execute import execution_order
from sync.compare.health import weighted_match
from sync.compare.recommend import INCREMENTAL_SYNC, recommend
from sync.compare.report import EntityComparison, Recommendation
from sync.compare.targets import target_for

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["sync/compare/targets.py", "sync/compare/execute.py", "sync/compare/recommend.py",
           "sync/compare/actions.py", "sync/compare/run.py", "sync/compare/health.py", "sync/stock/run.py",
           "dashboard/views_triggers.py"]


def _decisions_by_name(path: Path) -> list[str]:
    """Comparisons with, and dict keys of, a derived name or the items list's path."""
    names = {*entities.DERIVED, "/items"}
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                values = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
                found += [f"{path.name}:{node.lineno}" for v in values
                          if isinstance(v, ast.Constant) and v.value in names]
        if isinstance(node, ast.Dict):
            found += [f"{path.name}:{node.lineno}" for k in node.keys
                      if isinstance(k, ast.Constant) and k.value in names]
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Constant) and a.value == "/items" for a in node.args):
            found.append(f"{path.name}:{node.lineno} /items")
    return found


def test_no_module_decides_by_a_derived_name() -> None:
    assert [hit for module in MODULES for hit in _decisions_by_name(ROOT / module)] == []


@pytest.fixture
def extra_derived(monkeypatch: pytest.MonkeyPatch) -> entities.DerivedSpec:
    """A third derived name, wired like stock: every decision follows its registry entry."""
    spec = dataclasses.replace(entities.DERIVED["stock"], name="bins", match_weight=0.25)
    monkeypatch.setitem(entities.DERIVED, "bins", spec)
    return spec


def test_a_new_derived_entry_is_compared_recommended_ordered_and_weighed_by_its_entry(
        extra_derived: entities.DerivedSpec) -> None:
    target = target_for("bins")
    assert (target.kind, target.compare) == ("bins", extra_derived.compare)
    rec = recommend(EntityComparison(entity="bins", zoho_count=3, local_count=3, deep=True, stale=["7"]))
    assert (rec.action, rec.ids) == (INCREMENTAL_SYNC, ["7"])  # the stock rule, named by the entry
    recs = [Recommendation(entity=name, action=INCREMENTAL_SYNC, priority=p, reason="")
            for name, p in (("bins", 10), ("invoices", 9), ("items", 8))]
    assert [r.entity for r in execution_order(recs)] == ["items", "bins", "invoices"]
    assert weighted_match({"items": 100.0, "bins": 0.0}) == pytest.approx(80.0)
