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
Goal: p95 <= 50 ms each. Baseline of the earlier system: API response time 120 ms (their target < 200 ms).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.history import (  # noqa: E402
    bare_timings,
    database_drop,
    database_setup,
    database_url,
    history_load,
    p95_report,
    percentile,
    table_sizes,
    timed_gets,
)
from bench.result import emit  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_api"
GOAL_MS = 50.0
BASELINE_MS = 120.0
ENDPOINTS = ("/api/tds/status", "/api/tds/health", "/api/bff/tds/dashboard", "/api/tds/sync-runs?entity_type=items")


def _measure(requests: int) -> tuple[dict[str, list[float]], list[float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from sync.api.tokens import token_create

    setup_test_environment()
    user = get_user_model().objects.create_user("bench", "bench@example.com", "pw", is_staff=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {token_create(user=user)[1]}")
    return timed_gets(client, {path: path for path in ENDPOINTS}, requests=requests), bare_timings(client,
                                                                                                    requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the year of history to load, newest first (quick runs: 0.02)")
    args = parser.parse_args()
    url = database_url(default=DEFAULT_DB)
    database_setup(url)
    try:
        load_seconds = history_load(args.scale)
        sizes = table_sizes()
        timings, bare = _measure(args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(url)
    ok = p95_report(title=f"B10 API reads: {args.requests} requests each, year of history loaded in "
                          f"{load_seconds:.0f} s", sizes=sizes, timings=timings, label="endpoint", width=40,
                    goal_ms=GOAL_MS, baseline_ms=BASELINE_MS)
    bare_p95 = percentile(bare, 0.95)
    print(f"ceiling: a bare view through the same client, p95 {bare_p95:.1f} ms; worst ratio "
          f"{max(percentile(s, 0.95) for s in timings.values()) / bare_p95:.1f} x")
    emit(requests=args.requests, scale=args.scale, sizes=sizes, load_seconds=load_seconds,
         p95_ms={name: percentile(s, 0.95) for name, s in timings.items()},
         p50_ms={name: percentile(s, 0.5) for name, s in timings.items()},
         ceiling={"p95_ms": bare_p95, "p50_ms": percentile(bare, 0.5), "requests": len(bare)})
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
