"""The pacing table moved from the sync app to the zoho app without touching the table or its rows."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from zoho.models import RateLimitWindow


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("sync", "0002_shared_cache_table")])
    old = executor.loader.project_state([("sync", "0002_shared_cache_table")]).apps
    old.get_model("sync", "RateLimitWindow").objects.create(key="zoho:rate:org", window_start=timezone.now(), count=7)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert RateLimitWindow._meta.db_table == "tds_rate_limits"
    assert RateLimitWindow.objects.get(key="zoho:rate:org").count == 7
