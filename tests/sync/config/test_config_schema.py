"""Every tunable is checked against its schema: in config_set, the admin form and when a stored row is read."""
from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError

from sync.config import TUNABLES, Tunable, config_get, config_reset, config_set
from sync.models import AuditEntry, Configuration
from sync.pipeline.kick import entity_priorities

pytestmark = pytest.mark.django_db

BAD_PRIORITIES = [
    {'"><script>alert(1)</script>': 3},                      # markup as a name
    {f"junk{n}": 1 for n in range(20_000)},                  # a flood of names
    {"stock": 2, "nope": 3},                                 # one unknown among known ones
    {"x" * 10_000: 1},                                       # a huge name
    {"items": 0}, {"items": 11}, {"items": 2.5}, {"items": "3"}, {"items": True}, {"items": None},
    {"items": {"nested": 1}}, {"items": [1]}, {"items": 10**30},
    {"product": 2, "items": 3},                              # the same entity twice (alias and name)
    [["items", 2]], "items=2", 3, None, True,                # not an object at all
]


@pytest.mark.parametrize("value", BAD_PRIORITIES, ids=range(len(BAD_PRIORITIES)))
def test_queue_priorities_take_only_entity_names_within_bounds(value) -> None:
    with pytest.raises(ValidationError) as info:
        config_set("TDS_QUEUE_PRIORITIES", value)
    message = info.value.messages[0]
    assert message.startswith("TDS_QUEUE_PRIORITIES must be an object of whole numbers from 1 to 10 by entity")
    assert len(message) < 600  # one readable line, whatever was sent
    assert not Configuration.objects.exists() and not AuditEntry.objects.exists()


def test_a_flood_of_names_is_refused_before_looking_at_them() -> None:
    with pytest.raises(ValidationError, match=r"at most 50 of them; got 20000"):
        config_set("TDS_QUEUE_PRIORITIES", {f"junk{n}": 1 for n in range(20_000)})


def test_entity_names_are_stored_canonically_and_used_by_the_queue() -> None:
    assert config_set("TDS_QUEUE_PRIORITIES", {"Products": 2, " stock ": 1, "invoices": 9}) == {
        "items": 2, "stock": 1, "invoices": 9}
    assert Configuration.objects.get(key="TDS_QUEUE_PRIORITIES").value == {"items": 2, "stock": 1, "invoices": 9}
    priorities = entity_priorities()
    assert (priorities["items"], priorities["stock"], priorities["invoices"]) == (2, 1, 9)


def test_a_bad_row_written_some_other_way_is_ignored_with_a_short_log_line(caplog) -> None:
    Configuration.objects.create(key="TDS_QUEUE_PRIORITIES",
                                 value={f'"><script>{n}</script>': 1 for n in range(40)} | {"stock": 1})
    logger = logging.getLogger("tds.config")
    logger.addHandler(caplog.handler)  # the tds loggers do not propagate to the root logger
    try:
        assert config_get("TDS_QUEUE_PRIORITIES") == {}
    finally:
        logger.removeHandler(caplog.handler)
    line = caplog.records[-1].getMessage()
    assert line.startswith("tds_configuration TDS_QUEUE_PRIORITIES ignored, using the environment's value: ")
    assert "and 35 more" in line and len(line) < 800


def test_a_stored_alias_is_read_canonically() -> None:
    Configuration.objects.create(key="TDS_QUEUE_PRIORITIES", value={"products": 3})
    assert config_get("TDS_QUEUE_PRIORITIES") == {"items": 3}


@pytest.mark.parametrize(("value", "ok"), [("a" * 10, True), ("a" * 11, False), (5, False), (None, False)])
def test_text_is_bounded(value, ok) -> None:
    tunable = Tunable("TDS_EXAMPLE_TEXT", str, max_length=10)
    if ok:
        assert tunable.check(value) == value
    else:
        with pytest.raises(ValidationError, match="TDS_EXAMPLE_TEXT must be text of at most 10 characters"):
            tunable.check(value)


def test_every_tunable_declares_who_may_change_it_and_bounds_its_numbers() -> None:
    for tunable in TUNABLES.values():
        assert tunable.access in ("operators", "superusers")
        if tunable.kind in (int, float, dict):
            assert tunable.low is not None and tunable.high is not None, tunable.key


def test_the_admin_form_applies_the_same_schema(staff_client) -> None:
    answer = staff_client.post("/admin/sync/configuration/add/", {
        "key": "TDS_QUEUE_PRIORITIES", "value": '{"<script>x</script>": 3}', "description": ""})
    page = answer.content.decode()
    assert answer.status_code == 200 and "unknown entity" in page and "<script>x" not in page
    assert not Configuration.objects.exists()


def test_reset_is_checked_and_audited_and_an_unknown_key_is_refused(settings) -> None:
    settings.TDS_IMAGE_CONCURRENCY = 10
    config_set("TDS_IMAGE_CONCURRENCY", 3)
    assert config_reset("TDS_IMAGE_CONCURRENCY") is True and config_get("TDS_IMAGE_CONCURRENCY") == 10
    assert config_reset("TDS_IMAGE_CONCURRENCY") is False
    assert list(AuditEntry.objects.order_by("id").values_list("action", "old_value", "new_value", "source")) == [
        ("create", 10, 3, "code"), ("delete", 3, 10, "code")]
    with pytest.raises(ValidationError, match="TDS_NOPE is not a run-time setting"):
        config_reset("TDS_NOPE")


def test_configuration_entries_in_the_trail_are_immutable() -> None:
    from sync.models.tds import ImmutableError

    config_set("TDS_IMAGE_CONCURRENCY", 3)
    entry = AuditEntry.objects.get(entity="configuration")
    with pytest.raises(ImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(new_value=4)
    with pytest.raises(ImmutableError):
        entry.delete()
