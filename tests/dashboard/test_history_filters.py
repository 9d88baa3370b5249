"""The sync history's filters take only values a run can have: anything else (NUL, unknown names, long
text) is named on the page and left out, never a 500 (PostgreSQL refuses NUL in text)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

JUNK = ["\x00", "items\x00", "%00", "x" * 300, "nope", "'; DROP TABLE tds_sync_runs; --", "%(x)s", "é"]


@pytest.mark.parametrize("name", ["entity", "run_type", "status", "trigger"])
@pytest.mark.parametrize("value", JUNK)
def test_a_filter_value_no_run_can_have_is_named_and_left_out(staff_client, seeded, name, value) -> None:
    reply = staff_client.get("/tds-admin/runs/", {name: value})
    assert reply.status_code == 200
    html = reply.content.decode()
    assert f"No {name.replace('_', ' ')} " in html and "that filter was left out" in html
    assert str(seeded["done"].pk) in html and str(seeded["failed"].pk) in html  # no filter applied


def test_valid_filters_still_apply_and_a_bad_one_beside_them_is_dropped_alone(staff_client, seeded) -> None:
    html = staff_client.get("/tds-admin/runs/", {"status": "failed", "trigger": "\x00"}).content.decode()
    assert "No trigger" in html and str(seeded["failed"].pk) in html and str(seeded["done"].pk) not in html


def test_a_known_entity_without_runs_is_a_valid_filter(staff_client, seeded) -> None:
    html = staff_client.get("/tds-admin/runs/", {"entity": "invoices"}).content.decode()
    assert "No runs match." in html and "that filter was left out" not in html


def test_the_live_fragment_ignores_a_bad_filter_quietly(staff_client, seeded) -> None:
    reply = staff_client.get("/tds-admin/runs/", {"fragment": "1", "entity": "\x00"})
    assert reply.status_code == 200 and "<table" in reply.content.decode()
