"""B7: full pull of 100,000 items; peak RSS of the syncing process.

    .venv/bin/python bench/b7_memory.py [--items 100000]

The sandbox runs in a separate process (its memory is not counted; rate limit off). This
process creates a throw-away database, pulls warehouses and items (with per-warehouse stock
from bulk item details) and reports its own peak resident set size (getrusage ru_maxrss).
Goal: peak RSS <= 250 MB: pages are streamed, never accumulated.
Baselines: 25-50 items/s, ~33 items/s.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from b1_full_pull import BASELINES, print_table, setup_django, start_sandbox, timed_pull, with_test_db

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.ceilings import copy_upsert
from bench.result import emit

GOAL_MB = 250


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(n_items: int) -> list[tuple[str, str]]:
    from django.db import connection

    from sync.models import Product, StockLevel

    before = _rss_mb()
    timed_pull("warehouses")
    result, seconds = timed_pull("items")
    peak = _rss_mb()
    ok = peak <= GOAL_MB and result.status == "completed" and Product.objects.count() == n_items
    rows_written = Product.objects.count() + StockLevel.objects.count()
    ceiling = copy_upsert(["products", "stock_levels"])
    emit(items=n_items, seconds=seconds, peak_rss_mb=peak, before_rss_mb=before, status=result.status,
         products=Product.objects.count(), rows_written=rows_written, rows_per_second=rows_written / seconds,
         ceiling=ceiling)
    return [
        ("database", connection.vendor), ("items in Zoho", f"{n_items:,}"),
        ("products / stock rows", f"{Product.objects.count():,} / {StockLevel.objects.count():,}"),
        ("pull", f"{seconds:.1f} s = {n_items / seconds:,.0f} items/s ({result.api_calls} API calls)"),
        ("peak RSS before the pull (Django, DB setup)", f"{before:.0f} MB"),
        ("peak RSS of the syncing process", f"{peak:.0f} MB (goal <= {GOAL_MB} MB)"),
        ("ceiling: raw COPY + INSERT … ON CONFLICT", f"{ceiling['rows_per_second']:,.0f} rows/s; the pull wrote "
                                                      f"{rows_written / seconds:,.0f} rows/s"),
        ("baseline", BASELINES),
        ("verdict", "PASS" if ok else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    proc, conn, url = start_sandbox(items=args.items, warehouses=3, rate_limit=0)
    print(f"sandbox with {args.items:,} items ready in {time.perf_counter() - started:.0f} s", flush=True)
    setup_django(url, rate_limit=0)
    try:
        rows = with_test_db(lambda: _measure(args.items), label="b7")
    finally:
        conn.send("stop")
        proc.join(timeout=10)
    print_table("B7 full pull of 100,000 items: memory", rows)
    return 0 if rows[-1][1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
