"""The Configuration page: JSON that round-trips, who may change what, reset, the budget, no markup from data."""
from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.messages import get_messages

from sync.config import config_get, config_items
from sync.models import AuditEntry, Configuration, Product

pytestmark = pytest.mark.django_db
PAGE, SET, RESET = "/tds-admin/configuration/", "/tds-admin/configuration/set", "/tds-admin/configuration/reset"
OPERATOR_KEYS = ["TDS_STOCK_SYNC_INTERVAL_MINUTES", "TDS_COMPARE_INTERVAL_HOURS", "TDS_QUEUE_PRIORITIES",
                 "TDS_ENABLE_AUTO_SYNC"]
SUPERUSER_KEYS = ["TDS_ZOHO_DAILY_QUOTA", "TDS_ZOHO_BUDGET_MAX_PERCENT", "TDS_RETENTION_AUDIT_DAYS",
                  "TDS_ALERT_QUEUE_PENDING_WARNING"]
VALID = {"TDS_STOCK_SYNC_INTERVAL_MINUTES": "45", "TDS_COMPARE_INTERVAL_HOURS": "8",
         "TDS_QUEUE_PRIORITIES": '{"stock": 2}', "TDS_ENABLE_AUTO_SYNC": "false", "TDS_ZOHO_DAILY_QUOTA": "5000",
         "TDS_ZOHO_BUDGET_MAX_PERCENT": "70", "TDS_RETENTION_AUDIT_DAYS": "400",
         "TDS_ALERT_QUEUE_PENDING_WARNING": "700"}


def _message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def _shown(page: str, key: str) -> str:
    """The value the page's form offers for ``key``, as a browser would submit it."""
    match = re.search(rf'<input name="value" value="([^"]*)" aria-label="{key}"', page)
    assert match, f"no input for {key}"
    return html.unescape(match.group(1))


def test_every_shown_value_saves_back_unchanged(login) -> None:
    boss = login("boss", superuser=True)
    boss.post(SET, {"key": "TDS_QUEUE_PRIORITIES", "value": '{"stock": 2, "Products": 3}'})
    page = boss.get(PAGE).content.decode()
    # JSON (in PostgreSQL's key order on jsonb), aliases canonical
    assert _shown(page, "TDS_QUEUE_PRIORITIES") in ('{"stock": 2, "items": 3}', '{"items": 3, "stock": 2}')
    assert _shown(page, "TDS_ENABLE_AUTO_SYNC") == "true"
    for item in config_items():
        response = boss.post(SET, {"key": item["key"], "value": _shown(page, item["key"])})
        assert _message(response).startswith(f"{item['key']} set to "), _message(response)
        assert config_get(item["key"]) == item["value"]
    again = boss.get(PAGE).content.decode()
    assert [(i["key"], json.loads(_shown(again, i["key"]))) for i in config_items()] == [
        (i["key"], json.loads(_shown(page, i["key"]))) for i in config_items()]  # 15 and 15.0 alike


def test_a_saved_object_is_shown_as_json_not_python(login) -> None:
    boss = login("boss", superuser=True)
    boss.post(SET, {"key": "TDS_QUEUE_PRIORITIES", "value": '{"stock": 2}'})
    page = boss.get(PAGE).content.decode()
    assert "{&quot;stock&quot;: 2}" in page and "{'stock': 2}" not in page and "{&#x27;stock" not in page


@pytest.mark.parametrize("payload", [
    '{"\\"><script>alert(1)</script>": 3}', '{"<img src=x onerror=alert(1)>": 3}',
    '{"stock": 2, "</textarea><script>alert(1)</script>": 1}', '{"items\\" autofocus onfocus=\\"alert(1)": 4}',
    '{"javascript:alert(1)": 5}', '"<script>alert(1)</script>"', '["<script>alert(1)</script>"]',
])
def test_markup_in_a_value_is_refused_and_never_rendered(login, payload: str) -> None:
    boss = login("boss", superuser=True)
    response = boss.post(SET, {"key": "TDS_QUEUE_PRIORITIES", "value": payload}, follow=True)
    page = response.content.decode()
    assert "TDS_QUEUE_PRIORITIES not changed: TDS_QUEUE_PRIORITIES must be an object of whole numbers" in page
    assert "<script>alert" not in page and "<img src=x" not in page and "onfocus=\"alert" not in page
    assert not Configuration.objects.exists() and not AuditEntry.objects.exists()


def test_a_row_written_some_other_way_is_ignored_escaped_and_can_be_reset(login) -> None:
    Configuration.objects.create(key="TDS_QUEUE_PRIORITIES", value={'"><script>alert(1)</script>': 3})
    boss = login("boss", superuser=True)
    page = boss.get(PAGE).content.decode()
    assert "<script>alert" not in page
    assert config_get("TDS_QUEUE_PRIORITIES") == {}  # the environment's value
    assert page.count("Reset to default") == 1  # the ignored row can be removed from here
    assert _message(boss.post(RESET, {"key": "TDS_QUEUE_PRIORITIES"})).startswith("TDS_QUEUE_PRIORITIES reset")
    assert not Configuration.objects.exists()


def test_twenty_thousand_junk_keys_are_refused_in_one_short_line(login) -> None:
    junk = "{" + ", ".join(f'"k{n}": 1' for n in range(20_000)) + "}"
    response = login("boss", superuser=True).post(SET, {"key": "TDS_QUEUE_PRIORITIES", "value": junk})
    assert _message(response) == "TDS_QUEUE_PRIORITIES not changed: the value is 248890 characters long; at most 2000"
    bounded = '{"k1": 1, "k2": 1, "k3": 1, "k4": 1, "k5": 1, "k6": 1, "k7": 1}'
    response = login("root", superuser=True).post(SET, {"key": "TDS_QUEUE_PRIORITIES", "value": bounded})
    message = _message(response)
    assert "unknown entity 'k1', 'k2', 'k3', 'k4', 'k5' and 2 more (known: bills, " in message
    assert len(message) < 500 and not Configuration.objects.exists()


def test_a_staff_user_without_permission_reads_and_is_told_on_post(login) -> None:
    clerk = login("clerk")
    page = clerk.get(PAGE).content.decode()
    assert "You can read these values but not change them." in page
    assert 'name="value"' not in page and "Reset to default" not in page
    assert '<code aria-label="TDS_STOCK_SYNC_INTERVAL_MINUTES">30</code>' in page
    for key in OPERATOR_KEYS + SUPERUSER_KEYS:
        assert _message(clerk.post(SET, {"key": key, "value": VALID[key]})).startswith(f"{key} not changed: ")
        assert "clerk may only read it." in _message(clerk.post(RESET, {"key": key}))
    assert not Configuration.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize("kind", ["operator", "perm"])
def test_an_operator_changes_the_operators_settings_only(login, kind: str) -> None:
    olga = login("olga", **{kind: True})
    page = olga.get(PAGE).content.decode()
    for key in OPERATOR_KEYS:
        assert _shown(page, key)  # editable
        assert _message(olga.post(SET, {"key": key, "value": VALID[key]})).startswith(f"{key} set to ")
    for key in SUPERUSER_KEYS:
        assert f'<code aria-label="{key}">' in page
        assert _message(olga.post(SET, {"key": key, "value": VALID[key]})) == (
            f"{key} not changed: only a superuser may change it; olga may only read it.")
    assert set(Configuration.objects.values_list("key", flat=True)) == set(OPERATOR_KEYS)
    assert "values are read-only for you" in page and "“TDS operators” group" in page


def test_a_superuser_changes_every_setting(login) -> None:
    boss = login("boss", superuser=True)
    for key in OPERATOR_KEYS + SUPERUSER_KEYS:
        assert _message(boss.post(SET, {"key": key, "value": VALID[key]})).startswith(f"{key} set to ")
    assert config_get("TDS_ZOHO_DAILY_QUOTA") == 5000 and config_get("TDS_QUEUE_PRIORITIES") == {"stock": 2}
    assert "read-only" not in boss.get(PAGE).content.decode()


def test_every_change_and_reset_is_in_the_audit_trail(login, settings) -> None:
    settings.TDS_STOCK_SYNC_INTERVAL_MINUTES = 30
    olga = login("olga", operator=True)
    olga.post(SET, {"key": "TDS_STOCK_SYNC_INTERVAL_MINUTES", "value": "45"})
    olga.post(SET, {"key": "TDS_STOCK_SYNC_INTERVAL_MINUTES", "value": "45"})  # no change: no entry
    olga.post(SET, {"key": "TDS_STOCK_SYNC_INTERVAL_MINUTES", "value": "60"})
    response = olga.post(RESET, {"key": "TDS_STOCK_SYNC_INTERVAL_MINUTES"})
    assert _message(response) == "TDS_STOCK_SYNC_INTERVAL_MINUTES reset: the environment's value 30 applies again."
    trail = list(AuditEntry.objects.filter(entity="configuration").order_by("id").values_list(
        "zoho_id", "action", "field", "old_value", "new_value", "source", "actor"))
    key = "TDS_STOCK_SYNC_INTERVAL_MINUTES"
    assert trail == [(key, "create", "value", 30, 45, "dashboard", "olga"),
                     (key, "update", "value", 45, 60, "dashboard", "olga"),
                     (key, "delete", "value", 60, 30, "dashboard", "olga")]
    assert _message(olga.post(RESET, {"key": key})) == f"{key} already has the environment's value 30."
    assert AuditEntry.objects.count() == 3


def test_reset_puts_the_environments_value_back_and_shows_only_for_stored_values(login, settings) -> None:
    settings.TDS_IMAGE_CONCURRENCY = 10
    boss = login("boss", superuser=True)
    assert "Reset to default" not in boss.get(PAGE).content.decode()
    boss.post(SET, {"key": "TDS_IMAGE_CONCURRENCY", "value": "4"})
    page = boss.get(PAGE).content.decode()
    assert page.count("Reset to default") == 1 and config_get("TDS_IMAGE_CONCURRENCY") == 4
    boss.post(RESET, {"key": "TDS_IMAGE_CONCURRENCY"})
    assert not Configuration.objects.exists() and config_get("TDS_IMAGE_CONCURRENCY") == 10


@pytest.mark.parametrize("key", ["TDS_NOPE", "", "x" * 5000, "<script>alert(1)</script>"])
def test_an_unknown_key_gets_one_short_line(login, key: str) -> None:
    boss = login("boss", superuser=True)
    for url in (SET, RESET):
        response = boss.post(url, {"key": key, "value": "1"}, follow=True)
        message = _message(response)
        assert "is not a run-time setting" in message and len(message) < 2000
        assert "<script>alert" not in response.content.decode()


def test_an_unmeasured_stock_interval_of_a_minute_is_refused_with_the_estimate(login, settings) -> None:
    settings.TDS_ZOHO_DAILY_QUOTA = 10_000
    Product.objects.bulk_create(Product(zoho_item_id=str(n), name=f"item {n}") for n in range(2218))
    boss = login("boss", superuser=True)
    response = boss.post(SET, {"key": "TDS_STOCK_SYNC_INTERVAL_MINUTES", "value": "1"}, follow=True)
    message = _message(response)
    assert message.startswith("TDS_STOCK_SYNC_INTERVAL_MINUTES not changed: TDS_STOCK_SYNC_INTERVAL_MINUTES=1 "
                              "refused: the schedules would spend ")
    assert "of the daily quota of 10000 (at most 80%)" in message
    assert ("stock sync 1440/day x 12 calls (estimated, none measured yet: 12 list pages of 2218 active items)"
            in message)
    assert config_get("TDS_STOCK_SYNC_INTERVAL_MINUTES") == 30 and not Configuration.objects.exists()
    # the estimate scales with the mirror: every 30 minutes it is well within the quota
    assert _message(boss.post(SET, {"key": "TDS_STOCK_SYNC_INTERVAL_MINUTES", "value": "60"})).endswith("set to 60.")
