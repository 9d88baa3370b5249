"""The admin names audit entries properly and refuses hand-made runs, logs, dead letters and audit entries."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_audit_entries_are_spelled_right(staff_client) -> None:
    html = staff_client.get("/admin/").content.decode()
    assert "Audit entries" in html and "Audit entrys" not in html


@pytest.mark.parametrize("model", ["syncrun", "synclog", "deadletter", "auditentry"])
def test_records_of_the_past_cannot_be_added_by_hand(staff_client, model: str) -> None:
    assert staff_client.get(f"/admin/sync/{model}/add/").status_code == 403
    assert staff_client.get(f"/admin/sync/{model}/").status_code == 200
