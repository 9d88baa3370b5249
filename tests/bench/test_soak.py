"""How the soak (bench/soak.py) judges a run: which changes and which failed answers belong to a fault."""
from __future__ import annotations

from bench.soak import FAULT_SETTLE, GOAL_SECONDS, Change, Fault, summary


def _change(seq: int, edited_at: float, freshness: float) -> Change:
    change = Change(seq, f"item-{seq}", f"Soak change {seq:07d}", edited_at, delivered=True, attempts=1)
    change.applied_at.append(edited_at + freshness)
    return change


def test_a_change_still_on_its_way_when_a_fault_struck_belongs_to_the_fault() -> None:
    fault = Fault("postgres", at=100.0, until=117.0, recovered_after=20.0)
    changes = [_change(0, 50.0, 0.3), _change(1, 100.0 - GOAL_SECONDS / 2, 18.0),  # in flight at the fault
               _change(2, 110.0, 9.0), _change(3, 100.0 - GOAL_SECONDS - 1, 0.4), _change(4, 150.0, 0.2)]
    fresh = summary(changes, [fault])["freshness"]
    assert (fresh["inside"]["count"], fresh["outside"]["count"]) == (2, 3)
    assert round(fresh["outside"]["max"], 3) == 0.4


def test_failed_answers_count_against_the_run_only_outside_every_fault_window() -> None:
    faults = [Fault("web", at=100.0, until=100.2), Fault("postgres", at=200.0, until=217.0)]
    failures = [(100.1, 502), (100.2 + FAULT_SETTLE - 1, 502), (210.0, 503), (217.0 + FAULT_SETTLE - 1, 503),
                (150.0, 500), (300.0, 429)]
    result = summary([_change(0, 50.0, 0.3)], faults, failures)
    assert result["failed_outside_faults"] == {500: 1, 429: 1}
    assert summary([_change(0, 50.0, 0.3)], faults, failures[:4])["failed_outside_faults"] == {}
