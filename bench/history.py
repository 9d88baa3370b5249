"""A year of TDS history for the read benchmarks (B10, B11), loaded on PostgreSQL with INSERT … SELECT.

``database_url`` picks the bench database, ``database_setup`` recreates and migrates it (``database_connect``
reuses one kept), ``history_load`` fills it (1,000,000 completed queue items plus a live backlog, 1,000,000
inbox events, 100,000 runs with compares every 6 hours, 300,000 run log lines, 1,000,000 audit entries,
500,000 metric points, dead letters and alerts, then ANALYZE), ``table_sizes`` reports the row estimates,
``database_drop`` removes it.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import time
from typing import Any

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
    # 500,000 minute points of the charted metrics, never rolled up (the worst case for a chart).
    """INSERT INTO tds_metrics (name, value, samples, period, labels, recorded_at)
       SELECT (ARRAY['tds_items_synced_total','tds_items_seen_total','tds_sync_errors_total',
                     'tds_run_duration_seconds','tds_webhooks_received_total','tds_apply_latency_seconds',
                     'tds_zoho_api_calls_total'])[1 + g % 7],
              g % 100, 1, 'minute', '{}'::jsonb, now() - make_interval(secs => 63 * (500000 - g))
       FROM generate_series(1, 500000) AS g""",
    """INSERT INTO tds_dead_letter_queue (queue_item_id, entity, zoho_id, operation, payload, error_class, error_type,
         error_message, traceback, attempts, auto_retries, next_retry_at, resolved, resolved_at, resolution,
         correlation_id, created_at)
       SELECT NULL, 'items', 'D' || g, 'upsert', '{}'::jsonb, CASE WHEN g % 3 = 0 THEN 'permanent' ELSE 'transient' END,
              'ZohoError', 'bench', '', 5, 0, NULL, g > 12, CASE WHEN g > 12 THEN now() END,
              CASE WHEN g > 12 THEN 'retried' ELSE '' END, '', now() - make_interval(hours => g)
       FROM generate_series(1, 5000) AS g""",
    """INSERT INTO tds_alerts (severity, code, message, value, threshold, status, details, created_at,
         acknowledged_at, resolved_at, notifications, notify_error)
       SELECT 'warning', CASE WHEN g <= 3 THEN (ARRAY['queue_backlog','stale_entity','dead_letters'])[g]
                              ELSE 'queue_backlog' END, 'pending over 50', 60, 50,
              CASE WHEN g <= 3 THEN 'open' ELSE 'resolved' END, '{}'::jsonb, now() - make_interval(hours => g),
              NULL, NULL, 0, ''
       FROM generate_series(1, 2000) AS g""",
]


def database_url(*, default: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else default


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def database_connect(url: str) -> None:
    """Point Django at the bench database as it is (one kept with --keep, or one just created)."""
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tds_site.settings", ZOHO_SANDBOX="true",
                      TDS_LOG_LEVEL="WARNING", REDIS_URL="")
    import django

    django.setup()


def database_setup(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(url, f'CREATE DATABASE "{name}"')
    database_connect(url)
    from django.core.management import call_command

    from bench.result import unprofiled

    with unprofiled():  # building the schema is not the work any benchmark measures
        call_command("migrate", verbosity=0)


def scaled(statement: str, scale: float) -> str:
    """The statement keeping only the newest ``scale`` share of each large series (the rows nearest now),
    so a quick run has the recent history the pages show, with less of the past behind it."""
    def newest(match: re.Match[str]) -> str:
        total = int(match[1])
        keep = max(1, int(total * scale))
        return match[0] if total < 10_000 else f"generate_series({total - keep + 1}, {total})"

    return statement if scale >= 1 else re.sub(r"generate_series\(1, (\d+)\)", newest, statement)


def history_load(scale: float = 1.0) -> float:
    from django.db import connection
    from django.utils import timezone

    from sync.models import SyncCursor

    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in HISTORY:
            cursor.execute(scaled(statement, scale))
        cursor.execute("ANALYZE")
    now = timezone.now()
    SyncCursor.objects.bulk_create([SyncCursor(entity=e, watermark=now, last_incremental_run_at=now,
                                               last_full_run_at=now) for e in ENTITIES])
    return time.monotonic() - started


def table_sizes() -> dict[str, int]:
    from django.db import connection

    tables = ("tds_sync_queue", "tds_inbox_events", "tds_sync_runs", "tds_sync_logs", "tds_audit_trail", "tds_metrics")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [list(tables)])
        return dict(cursor.fetchall())


def database_drop(url: str) -> None:
    _admin(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def p95_report(*, title: str, sizes: dict[str, int], timings: dict[str, list[float]], label: str, width: int,
               goal_ms: float, baseline_ms: float) -> bool:
    """Print the table every read benchmark prints (p50, p95, max per row, the goal and the baseline)."""
    print(f"\n{title}")
    print("rows: " + ", ".join(f"{name} {count:,}" for name, count in sorted(sizes.items())))
    print(f"{label:<{width}}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'goal p95':>10}{'old baseline':>15}{'':>7}")
    ok, figures = True, {}
    for name, samples in timings.items():
        p95 = percentile(samples, 0.95)
        ok = ok and p95 <= goal_ms
        figures[name] = round(p95, 1)
        print(f"{name:<{width}}{statistics.median(samples):>9.1f}{p95:>9.1f}{max(samples):>9.1f}"
              f"{'<= ' + format(goal_ms, 'g'):>10}{baseline_ms:>12.0f} ms{'pass' if p95 <= goal_ms else 'FAIL':>7}")
    print(f"\nresult: {'PASS' if ok else 'BELOW GOAL'}")
    print(json.dumps({"p95_ms": figures}))
    return ok


def bare_timings(client: Any, *, requests: int) -> list[float]:
    """Milliseconds per GET of a bare view (bench/bare_urls.py) through the same client and middleware: the
    ceiling the read benchmarks are a ratio to."""
    from django.test import override_settings

    with override_settings(ROOT_URLCONF="bench.bare_urls"):
        return timed_gets(client, {"bare view": "/bare"}, requests=requests)["bare view"]


def timed_gets(client: Any, paths: dict[str, str], *, requests: int, warmup: int = 10) -> dict[str, list[float]]:
    """Milliseconds per GET of each path (by label), after a warm-up; every answer must be 200."""
    timings: dict[str, list[float]] = {}
    for label, path in paths.items():
        for _ in range(warmup):
            assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            reply = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert reply.status_code == 200, (path, reply.status_code)
        timings[label] = samples
    return timings
