"""tds_configuration in the Django admin: the same permissions and audit as the dashboard."""
from __future__ import annotations

import re

import pytest

from sync.config import config_get, config_set
from sync.models import AuditEntry, Configuration

pytestmark = pytest.mark.django_db
ADMIN = "/admin/sync/configuration/"


def _row(key: str, value: object) -> Configuration:
    config_set(key, value)
    return Configuration.objects.get(key=key)


def test_an_operator_adds_only_operators_settings_and_the_change_is_audited(login) -> None:
    olga = login("olga", operator=True)
    form = olga.get(f"{ADMIN}add/").content.decode()
    offered = set(re.findall(r'<option value="(TDS_[A-Z_]+)"', form))
    assert "TDS_STOCK_SYNC_INTERVAL_MINUTES" in offered and "TDS_QUEUE_PRIORITIES" in offered
    assert "TDS_ZOHO_DAILY_QUOTA" not in offered and "TDS_RETENTION_AUDIT_DAYS" not in offered
    answer = olga.post(f"{ADMIN}add/", {"key": "TDS_ZOHO_DAILY_QUOTA", "value": "99999", "description": ""})
    assert answer.status_code == 200 and "Select a valid choice" in answer.content.decode()
    answer = olga.post(f"{ADMIN}add/", {"key": "TDS_QUEUE_PRIORITIES", "value": '{"products": 2}', "description": ""})
    assert answer.status_code == 302
    assert config_get("TDS_QUEUE_PRIORITIES") == {"items": 2}
    entry = AuditEntry.objects.get(entity="configuration")
    assert (entry.zoho_id, entry.action, entry.old_value, entry.new_value, entry.source, entry.actor) == (
        "TDS_QUEUE_PRIORITIES", "create", {}, {"items": 2}, "admin", "olga")
    trail = login("boss", superuser=True).get("/admin/sync/auditentry/?entity=configuration").content.decode()
    assert "TDS_QUEUE_PRIORITIES" in trail and "<td class=\"field-actor\">olga</td>" in trail


def test_a_superusers_setting_is_read_only_for_an_operator(login) -> None:
    row = _row("TDS_ZOHO_DAILY_QUOTA", 5000)
    olga = login("olga", operator=True)
    page = olga.get(f"{ADMIN}{row.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert olga.post(f"{ADMIN}{row.pk}/change/", {"value": "99999", "description": ""}).status_code == 403
    assert olga.post(f"{ADMIN}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert config_get("TDS_ZOHO_DAILY_QUOTA") == 5000


def test_an_operator_changes_and_deletes_an_operators_setting_through_the_service(login, settings) -> None:
    settings.TDS_STOCK_SYNC_INTERVAL_MINUTES = 30
    row = _row("TDS_STOCK_SYNC_INTERVAL_MINUTES", 45)
    olga = login("olga", operator=True)
    answer = olga.post(f"{ADMIN}{row.pk}/change/", {"value": "0", "description": ""})
    assert answer.status_code == 200 and "must be a whole number from 1 to 10080, got 0" in answer.content.decode()
    assert olga.post(f"{ADMIN}{row.pk}/change/", {"value": "60", "description": ""}).status_code == 302
    assert olga.post(f"{ADMIN}{row.pk}/delete/", {"post": "yes"}).status_code == 302
    assert config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES") == 30
    trail = list(AuditEntry.objects.filter(actor="olga").order_by("id").values_list("action", "old_value",
                                                                                     "new_value"))
    assert trail == [("update", 45, 60), ("delete", 60, 30)]


def test_a_bulk_delete_is_refused_when_it_names_what_the_user_may_not_change(login) -> None:
    mine, theirs = _row("TDS_IMAGE_CONCURRENCY", 4), _row("TDS_RETENTION_AUDIT_DAYS", 400)
    olga = login("olga", operator=True)
    both = {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"}
    assert olga.post(ADMIN, both).status_code == 403
    assert Configuration.objects.count() == 2
    assert olga.post(ADMIN, {**both, "_selected_action": [mine.pk]}).status_code == 302
    assert list(Configuration.objects.values_list("key", flat=True)) == ["TDS_RETENTION_AUDIT_DAYS"]
    assert AuditEntry.objects.filter(actor="olga", action="delete", zoho_id="TDS_IMAGE_CONCURRENCY").exists()


def test_staff_without_permission_has_no_configuration_admin(login) -> None:
    assert login("clerk").get(ADMIN).status_code == 403


def test_the_admin_list_escapes_a_row_written_some_other_way(staff_client) -> None:
    Configuration.objects.create(key="TDS_QUEUE_PRIORITIES", value={"<script>alert(1)</script>": 1})
    page = staff_client.get(ADMIN).content.decode()
    assert "TDS_QUEUE_PRIORITIES" in page and "<script>alert" not in page
