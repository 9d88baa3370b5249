"""B10: API reads on a year of history — p95 of status, health, dashboard and sync-runs on PostgreSQL.

    .venv/bin/python bench/b10_api_reads.py [--requests 200] [--keep]

Creates postgres://postgres@127.0.0.1:5432/tds_bench_api (or the database named by DATABASE_URL
when it points at PostgreSQL), migrates it and loads a year of history with INSERT … SELECT
generate_series: 1,000,000 completed queue items (plus a live backlog of pending, processing and
failed ones), 1,000,000 inbox events, 100,000 runs (pulls every 30 minutes per entity, stock
syncs, compares every 6 hours with their reports), 300,000 run log lines, 1,000,000 audit
entries, 500,000 metric points, open dead letters and alerts, then ANALYZE. It then sends each
request (after 10 warm-ups) through Django's full request stack with a staff token and prints
p50/p95/max per endpoint. The database is dropped at the end unless --keep.
Goal: p95 <= 50 ms each. Baseline from the seeds: API response time 120 ms (their target < 200 ms).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_api"
GOAL_MS = 50.0
BASELINE_MS = 120.0
ENDPOINTS = ("/api/tds/status", "/api/tds/health", "/api/bff/tds/dashboard", "/api/tds/sync-runs?entity_type=items")
ENTITIES = ("items", "customers", "vendors", "invoices", "sales_orders", "bills", "purchase_orders", "price_lists")

# One year back from now; every statement is one INSERT … SELECT.
HISTORY = [
    # 1,000,000 completed queue items, one every ~31 s over the year.
    """INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts, next_attempt_at,
         locked_by, locked_until, last_error, zoho_last_modified, inbox_event_id, correlation_id, created_at,
         updated_at, completed_at)
       SELECT (ARRAY['items','customers','invoices','sales_orders','bills'])[1 + g % 5], 'Z' || g, 'upsert',
              '{}'::jsonb, 1 + g % 8, 'completed', 1, NULL, '', NULL, '', NULL, NULL, '',
              now() - make_interval(secs => 31.5 * (1000000 - g)), now() - make_interval(secs => 31.5 * (1000000 - g)),
              now() - make_interval(secs => 31.5 * (1000000 - g) - 2)
       FROM generate_series(1, 1000000) AS g""",
    # The live backlog: 400 pending, 6 processing, 25 failed (waiting for a retry).
    """INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts, next_attempt_at,
         locked_by, locked_until, last_error, zoho_last_modified, inbox_event_id, correlation_id, created_at,
         updated_at, completed_at)
       SELECT 'items', 'L' || g, 'upsert', '{}'::jsonb, 1 + g % 8,
              CASE WHEN g <= 400 THEN 'pending' WHEN g <= 406 THEN 'processing' ELSE 'failed' END,
              0, now(), CASE WHEN g BETWEEN 401 AND 406 THEN 'bench:1' ELSE '' END,
              CASE WHEN g BETWEEN 401 AND 406 THEN now() + interval '5 minutes' END, '', NULL, NULL, '',
              now() - make_interval(secs => g), now(), NULL
       FROM generate_series(1, 431) AS g""",
    # 1,000,000 inbox events (webhooks), processed.
    """INSERT INTO tds_inbox_events (source, entity, zoho_id, event_type, payload, signature_valid, signature_method,
         dedupe_key, zoho_last_modified, status, error, correlation_id, received_at, processed_at)
       SELECT 'webhook', (ARRAY['items','customers','invoices','sales_orders','bills'])[1 + g % 5], 'Z' || g,
              'updated', '{"item": {"item_id": "1"}}'::jsonb, true, 'hmac', 'bench:' || g, NULL,
              CASE WHEN g > 999950 THEN 'received' ELSE 'processed' END, '', '',
              now() - make_interval(secs => 31.5 * (1000000 - g)),
              now() - make_interval(secs => 31.5 * (1000000 - g) - 1)
       FROM generate_series(1, 1000000) AS g""",
    # 100,000 runs: pulls of the entities, stock syncs, failures now and then.
    """INSERT INTO tds_sync_runs (id, run_type, entity, trigger, status, dry_run, configuration, processed, created,
         updated, unchanged, skipped, failed, deleted, api_calls, progress, started_at, finished_at,
         duration_seconds, correlation_id, error_message, summary, created_at)
       SELECT gen_random_uuid(), CASE WHEN g % 9 = 0 THEN 'stock' WHEN g % 50 = 1 THEN 'full' ELSE 'incremental' END,
              CASE WHEN g % 9 = 0 THEN 'stock'
                   ELSE (ARRAY['items','customers','vendors','invoices','sales_orders','bills','purchase_orders',
                               'price_lists'])[1 + g % 8] END,
              CASE WHEN g % 7 = 0 THEN 'api' ELSE 'schedule' END,
              CASE WHEN g % 97 = 0 THEN 'failed' WHEN g % 31 = 0 THEN 'partial' ELSE 'completed' END, false,
              '{"full": false}'::jsonb, g % 400, g % 20, g % 380, 0, 0, CASE WHEN g % 31 = 0 THEN 2 ELSE 0 END, 0,
              1 + g % 5, 100.0, ts, ts + interval '12 seconds', 12.0, md5(g::text)::varchar(32),
              CASE WHEN g % 97 = 0 THEN 'ZohoError: timeout' ELSE '' END, '{}'::jsonb, ts
       FROM (SELECT g, now() - make_interval(secs => 315 * (100000 - g)) AS ts
             FROM generate_series(1, 98540) AS g) AS runs""",
    # Compares every 6 hours (1,460) with a health report each.
    """INSERT INTO tds_sync_runs (id, run_type, entity, trigger, status, dry_run, configuration, processed, created,
         updated, unchanged, skipped, failed, deleted, api_calls, progress, started_at, finished_at,
         duration_seconds, correlation_id, error_message, summary, created_at)
       SELECT gen_random_uuid(), 'compare_sync', '', 'schedule', 'completed', false, '{}'::jsonb, 0, 0, 0, 0, 0, 0, 0,
              50, 100.0, ts, ts + interval '30 seconds', 30.0, '', '',
              jsonb_build_object('health', jsonb_build_object('score', 97.0 + (g % 3), 'band', 'EXCELLENT',
                                                               'components', '{}'::jsonb),
                                 'overall_match_pct', 99.1,
                                 'comparisons', jsonb_build_array(
                                     jsonb_build_object('entity', 'items', 'match_pct', 99.2),
                                     jsonb_build_object('entity', 'stock', 'match_pct', 99.6),
                                     jsonb_build_object('entity', 'images', 'match_pct', 91.8),
                                     jsonb_build_object('entity', 'price_lists', 'match_pct', 100.0))),
              ts
       FROM (SELECT g, now() - make_interval(hours => 6 * (1460 - g)) AS ts FROM generate_series(1, 1460) AS g) c""",
    # 300,000 log lines, three per run of the newest 100,000.
    """INSERT INTO tds_sync_logs (run_id, level, entity, zoho_id, message, extra, correlation_id, created_at)
       SELECT r.id, 'INFO', r.entity, '', 'completed: created=1 updated=2', '{}'::jsonb, '', r.created_at
       FROM tds_sync_runs r, generate_series(1, 3)""",
    """INSERT INTO tds_audit_trail (entity, zoho_id, action, field, old_value, new_value, source, run_id,
         inbox_event_id, correlation_id, created_at)
       SELECT 'items', 'Z' || (g % 50000), 'update', 'rate', to_jsonb(g % 100), to_jsonb(g % 100 + 1), 'webhook',
              NULL, NULL, '', now() - make_interval(secs => 31.5 * (1000000 - g))
       FROM generate_series(1, 1000000) AS g""",
    """INSERT INTO tds_metrics (name, value, labels, recorded_at)
       SELECT (ARRAY['tds.sync.completed','tds.entity.synced','zoho.calls','queue.depth'])[1 + g % 4], g % 100,
              '{}'::jsonb, now() - make_interval(secs => 63 * (500000 - g))
       FROM generate_series(1, 500000) AS g""",
    """INSERT INTO tds_dead_letter_queue (queue_item_id, entity, zoho_id, operation, payload, error_class, error_type,
         error_message, traceback, attempts, auto_retries, next_retry_at, resolved, resolved_at, resolution,
         correlation_id, created_at)
       SELECT NULL, 'items', 'D' || g, 'upsert', '{}'::jsonb, CASE WHEN g % 3 = 0 THEN 'permanent' ELSE 'transient' END,
              'ZohoError', 'bench', '', 5, 0, NULL, g > 12, CASE WHEN g > 12 THEN now() END,
              CASE WHEN g > 12 THEN 'retried' ELSE '' END, '', now() - make_interval(hours => g)
       FROM generate_series(1, 5000) AS g""",
    """INSERT INTO tds_alerts (severity, code, message, value, threshold, status, details, created_at,
         acknowledged_at, resolved_at)
       SELECT 'warning', 'queue_backlog', 'pending over 50', 60, 50,
              CASE WHEN g <= 3 THEN 'open' ELSE 'resolved' END, '{}'::jsonb, now() - make_interval(hours => g),
              NULL, NULL
       FROM generate_series(1, 2000) AS g""",
]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DB


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _setup(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(url, f'CREATE DATABASE "{name}"')
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tds_site.settings", ZOHO_SANDBOX="true",
                      TDS_LOG_LEVEL="WARNING", REDIS_URL="")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _load() -> float:
    from django.db import connection
    from django.utils import timezone

    from sync.models import SyncCursor

    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in HISTORY:
            cursor.execute(statement)
        cursor.execute("ANALYZE")
    now = timezone.now()
    SyncCursor.objects.bulk_create([SyncCursor(entity=e, watermark=now, last_incremental_run_at=now,
                                               last_full_run_at=now) for e in ENTITIES])
    return time.monotonic() - started


def _sizes() -> dict[str, int]:
    from django.db import connection

    tables = ("tds_sync_queue", "tds_inbox_events", "tds_sync_runs", "tds_sync_logs", "tds_audit_trail", "tds_metrics")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [list(tables)])
        return dict(cursor.fetchall())


def _measure(requests: int) -> dict[str, list[float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from rest_framework.authtoken.models import Token

    setup_test_environment()
    user = get_user_model().objects.create_user("bench", "bench@example.com", "pw", is_staff=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    timings: dict[str, list[float]] = {}
    for path in ENDPOINTS:
        for _ in range(10):
            assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            reply = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert reply.status_code == 200, (path, reply.status_code)
        timings[path] = samples
    return timings


def _p(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    url = _database_url()
    _setup(url)
    try:
        load_seconds = _load()
        sizes = _sizes()
        timings = _measure(args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _admin(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')
    print(f"\nB10 API reads: {args.requests} requests each, year of history loaded in {load_seconds:.0f} s")
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in sorted(sizes.items())))
    print(f"{'endpoint':<40}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'goal p95':>10}{'seed baseline':>15}")
    ok = True
    figures = {}
    for path, samples in timings.items():
        p95 = _p(samples, 0.95)
        ok = ok and p95 <= GOAL_MS
        figures[path] = round(p95, 1)
        print(f"{path:<40}{statistics.median(samples):>9.1f}{p95:>9.1f}{max(samples):>9.1f}"
              f"{'<= 50':>10}{BASELINE_MS:>12.0f} ms")
    print(f"\nresult: {'PASS' if ok else 'BELOW GOAL'}")
    print(json.dumps({"p95_ms": figures}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
