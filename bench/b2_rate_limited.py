"""B2: the B1 pull with Zoho's 100 calls/minute enforced by the sandbox and by the client's limiter.

    .venv/bin/python bench/b2_rate_limited.py [--items 2000]

2,000 items by default (10 list pages + 20 itemdetails calls + 1 warehouses call) so the run
takes well under a minute; --items 10000 gives the full B1 size (~150 calls, ~90 s).
Goal: no 429 received; wall <= 1.15 x the floor the limit sets (calls x 0.6 s).
Baselines: 25-50 items/s, ~33 items/s.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from b1_full_pull import (
    BASELINES,
    print_table,
    sandbox_calls,
    setup_django,
    start_sandbox,
    timed_pull,
    with_test_db,
)

from bench.result import emit

LIMIT = 100


def _measure(conn, n_items: int) -> list[tuple[str, str]]:
    from django.db import connection

    before = sandbox_calls(conn)
    started = time.perf_counter()
    warehouses, _ = timed_pull("warehouses")
    items, _ = timed_pull("items")
    wall = time.perf_counter() - started
    after = sandbox_calls(conn)
    statuses = {k: v - before["by_status"].get(k, 0) for k, v in after["by_status"].items()}
    calls = warehouses.api_calls + items.api_calls
    floor = calls * 60 / LIMIT
    rejected = statuses.get(429, 0)
    ok = rejected == 0 and wall <= 1.15 * floor and items.status == "completed"
    emit(items=n_items, calls=calls, wall_seconds=wall, floor_seconds=floor, rejected=rejected, status=items.status)
    return [
        ("database", connection.vendor), ("items in Zoho", f"{n_items:,}"),
        ("API calls (client)", str(calls)), ("sandbox answers by status", str(dict(sorted(statuses.items())))),
        ("429 received", str(rejected)),
        ("wall", f"{wall:.1f} s = {n_items / wall:,.0f} items/s"),
        ("floor set by 100/min (calls x 0.6 s)", f"{floor:.1f} s"),
        ("wall / floor", f"{wall / floor:.2f} (goal <= 1.15)"),
        ("baseline", BASELINES),
        ("verdict", "PASS" if ok else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()
    proc, conn, url = start_sandbox(items=args.items, warehouses=3, rate_limit=LIMIT)
    setup_django(url, rate_limit=LIMIT)
    try:
        rows = with_test_db(lambda: _measure(conn, args.items), label="b2")
    finally:
        conn.send("stop")
        proc.join(timeout=10)
    print_table("B2 full pull with the 100 calls/minute limit on both sides", rows)
    return 0 if rows[-1][1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
