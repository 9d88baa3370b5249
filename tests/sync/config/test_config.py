"""Run-time tunables: one reader, the database value wins over the environment, validated, cached briefly."""
from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_q.models import Schedule

from sync import schedules
from sync.config import TUNABLES, config_clear_cache, config_get, config_items, config_set
from sync.models import Configuration
from sync.pipeline.retry import retry_policy

pytestmark = pytest.mark.django_db


def test_the_database_value_wins_over_the_environment(settings) -> None:
    settings.TDS_RETRY_MAX_ATTEMPTS = 5
    assert config_get("TDS_RETRY_MAX_ATTEMPTS") == 5
    config_set("TDS_RETRY_MAX_ATTEMPTS", 9)
    assert config_get("TDS_RETRY_MAX_ATTEMPTS") == 9 and retry_policy().max_attempts == 9
    Configuration.objects.get(key="TDS_RETRY_MAX_ATTEMPTS").delete()
    assert config_get("TDS_RETRY_MAX_ATTEMPTS") == 5


@pytest.mark.parametrize(("key", "value", "message"), [
    ("TDS_IMAGE_CONCURRENCY", 500, "TDS_IMAGE_CONCURRENCY must be a whole number from 1 to 64, got 500"),
    ("TDS_IMAGE_CONCURRENCY", "8", "TDS_IMAGE_CONCURRENCY must be a whole number from 1 to 64, got '8'"),
    ("TDS_ENABLE_AUTO_SYNC", "yes", "TDS_ENABLE_AUTO_SYNC must be true or false, got 'yes'"),
    ("TDS_QUEUE_PRIORITIES", {"items": 11}, "TDS_QUEUE_PRIORITIES must be an object of whole numbers from 1 to 10"),
    ("queue_priorities", {}, "queue_priorities is not a run-time setting"),
])
def test_a_bad_value_is_refused_on_save_with_a_clear_message(key, value, message) -> None:
    with pytest.raises(ValidationError, match=message):
        config_set(key, value)
    assert not Configuration.objects.exists()


def test_the_admin_form_refuses_a_bad_value_too(staff_client) -> None:
    answer = staff_client.post("/admin/sync/configuration/add/", {"key": "TDS_COMPARE_INTERVAL_HOURS",
                                                                 "value": "500", "description": ""})
    assert answer.status_code == 200 and "must be a whole number from 1 to 168, got 500" in answer.content.decode()
    assert not Configuration.objects.exists()


def test_a_bad_value_in_the_table_is_ignored_with_a_log_line(settings, caplog) -> None:
    settings.TDS_IMAGE_CONCURRENCY = 10
    Configuration.objects.create(key="TDS_IMAGE_CONCURRENCY", value=0)
    logger = logging.getLogger("tds.config")
    logger.addHandler(caplog.handler)  # the tds loggers do not propagate to the root logger
    try:
        assert config_get("TDS_IMAGE_CONCURRENCY") == 10
    finally:
        logger.removeHandler(caplog.handler)
    assert "TDS_IMAGE_CONCURRENCY ignored, using the environment's value" in caplog.text


def test_reads_are_cached_briefly_and_a_save_clears_the_cache(django_assert_num_queries) -> None:
    config_get("TDS_IMAGE_CONCURRENCY")
    with django_assert_num_queries(0):
        config_get("TDS_IMAGE_CONCURRENCY")
        config_get("TDS_RETRY_BACKOFF_SECONDS")
    Configuration.objects.create(key="TDS_IMAGE_CONCURRENCY", value=4)  # through the ORM: the signal clears
    assert config_get("TDS_IMAGE_CONCURRENCY") == 4
    config_clear_cache()


def test_items_list_every_tunable_with_value_source_and_bounds(settings) -> None:
    settings.TDS_COMPARE_INTERVAL_HOURS = 6
    config_set("TDS_COMPARE_INTERVAL_HOURS", 2)
    items = {item["key"]: item for item in config_items()}
    assert set(items) == set(TUNABLES)
    assert items["TDS_COMPARE_INTERVAL_HOURS"] == {
        "key": "TDS_COMPARE_INTERVAL_HOURS", "value": 2, "source": "database", "default": 6, "type": "int",
        "low": 1, "high": 168, "description": "hours between scheduled compare + sync runs", "access": "operators",
        "stored": True}
    assert items["TDS_IMAGE_CONCURRENCY"]["source"] == "environment"


def test_the_schedules_follow_a_saved_change() -> None:
    call_command("migrate", verbosity=0)  # writes the default schedules
    config_set("TDS_STOCK_SYNC_INTERVAL_MINUTES", 45)
    assert Schedule.objects.get(name=schedules.STOCK_SYNC).minutes == 45
