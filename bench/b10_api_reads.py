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
from bench.history import history_load  # noqa: E402
from bench.reads import reads_arguments, reads_measure  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_api"
GOAL_MS = 50.0
BASELINE_MS = 120.0
ENDPOINTS = ("/api/tds/status", "/api/tds/health", "/api/bff/tds/dashboard", "/api/tds/sync-runs?entity_type=items")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    reads_arguments(parser, no_load=False)
    args = parser.parse_args()
    ok = reads_measure(args, default_db=DEFAULT_DB, load=lambda: history_load(args.scale),
                       paths=lambda: {path: path for path in ENDPOINTS}, token=True,
                       title=f"B10 API reads: {args.requests} requests each, year of history loaded in "
                             "{load_seconds:.0f} s", label="endpoint", width=40, goal_ms=GOAL_MS,
                       baseline_ms=BASELINE_MS)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
