"""B1: full pull of 10,000 items with stock in 3 warehouses from the sandbox over loopback HTTP.

    .venv/bin/python bench/b1_full_pull.py [--items 10000] [--warehouses 3]

The sandbox runs in a separate process (rate limit off). The benchmark creates a
throw-away test database (test_<name> on PostgreSQL when DATABASE_URL points there),
pulls warehouses, then times `pull_entity("items", full=True)`: the first load (products
+ per-warehouse stock rows from bulk item details) and a re-run with nothing changed
(content-hash skip: 0 rows written). Goal (PostgreSQL): first load >= 3,000
items/s, re-run >= 10,000 items/s. Baselines: 25-50 items/s, ~33 items/s.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.ceilings import copy_upsert  # noqa: E402
from bench.result import emit  # noqa: E402

BASELINES = "25-50 items/s; ~33 items/s (10K items in ~5 min)"
SMALL = {"customers": 5, "vendors": 5, "invoices": 5, "bills": 5, "customerpayments": 5, "vendorpayments": 5,
         "creditnotes": 5, "salesorders": 5, "purchaseorders": 5, "inventory_adjustments": 5,
         "transfer_orders": 5, "composite_items": 5}


def serve(config: dict[str, Any], conn: Any) -> None:
    """Child process: run the sandbox; answer "calls" (counters) and "stop" on the pipe."""
    from zoho.sandbox import SandboxConfig, SandboxServer

    with SandboxServer(SandboxConfig(**config)) as sb:
        conn.send({"url": sb.url})
        while True:
            command = conn.recv()
            if command == "stop":
                return
            conn.send({"by_endpoint": sb.calls.by_endpoint(), "by_status": sb.calls.by_status()})


def start_sandbox(*, items: int, warehouses: int, rate_limit: int, seed: int = 7) -> tuple[Any, Any, str]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    config = {"items": items, "seed": seed, "rate_limit_per_minute": rate_limit,
              "counts": {**SMALL, "warehouses": warehouses}}
    proc = ctx.Process(target=serve, args=(config, child), daemon=True)
    proc.start()
    return proc, parent, parent.recv()["url"]


def setup_django(url: str, *, rate_limit: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tds_site.settings")
    os.environ.update(ZOHO_SANDBOX="true", ZOHO_ACCOUNTS_URL=url, ZOHO_RATE_LIMIT_PER_MINUTE=str(rate_limit),
                      TDS_LOGS_DIR=tempfile.mkdtemp(prefix="tds-bench-logs-"), TDS_LOG_LEVEL="WARNING")
    import django

    django.setup()


def sandbox_calls(conn: Any) -> dict[str, Any]:
    conn.send("calls")
    return conn.recv()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_pull(entity: str, *, full: bool = True) -> tuple[Any, float]:
    """(result, wall seconds); result.extra["cpu_seconds"] is this process's CPU time for the pull."""
    from sync.pull.run import pull_entity

    started, cpu = time.perf_counter(), cpu_seconds()
    result = pull_entity(entity=entity, full=full, trigger="cli")
    result.extra["cpu_seconds"] = cpu_seconds() - cpu
    return result, time.perf_counter() - started


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"{title} ({time.strftime('%Y-%m-%d %H:%M')})")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def with_test_db(work: Any, *, label: str = "bench") -> Any:
    """Run ``work`` in a throw-away database of its own (not test_<name>, which pytest may be using)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_tds_{label}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return work()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def _measure(n_items: int) -> list[tuple[str, str]]:
    from django.db import connection

    from sync.models import Product, StockLevel

    timed_pull("warehouses")
    first, first_s = timed_pull("items")
    stock_rows = StockLevel.objects.count()
    again, again_s = timed_pull("items")
    written = again.created + again.updated + again.extra.get("stock_rows_written", 0)
    first_rate, again_rate = n_items / first_s, n_items / again_s
    rows_first = Product.objects.count() + stock_rows
    ceiling = copy_upsert(["products", "stock_levels"])
    emit(items=n_items, first_seconds=first_s, again_seconds=again_s, rows_first=rows_first,
         rows_per_second_first=rows_first / first_s, items_per_second_first=first_rate,
         items_per_second_again=again_rate, written_again=written, ceiling=ceiling)
    ok = connection.vendor == "postgresql" and first_rate >= 3000 and again_rate >= 10000 and written == 0
    return [
        ("database", connection.vendor), ("items in Zoho", f"{n_items:,}"),
        ("products / stock rows after first load", f"{Product.objects.count():,} / {stock_rows:,}"),
        ("first load", f"{first_s:.2f} s = {first_rate:,.0f} items/s ({first.api_calls} API calls, "
                       f"{first.extra['cpu_seconds']:.2f} s CPU in this process)"),
        ("re-run, nothing changed", f"{again_s:.2f} s = {again_rate:,.0f} items/s ({again.api_calls} API calls, "
                                    f"{again.extra['cpu_seconds']:.2f} s CPU)"),
        ("machine load average (1 min) at the end", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
        ("rows written by the re-run", str(written)),
        ("ceiling: raw COPY + INSERT … ON CONFLICT of the same rows",
         f"{ceiling['rows']:,} rows in {ceiling['seconds']:.2f} s = {ceiling['rows_per_second']:,.0f} rows/s; "
         f"first load {rows_first / first_s:,.0f} rows/s = {rows_first / first_s / ceiling['rows_per_second']:.2f} x"),
        ("goal (PostgreSQL)", "first >= 3,000 items/s; re-run >= 10,000 items/s, 0 rows written"),
        ("baseline", BASELINES),
        ("speed-up vs 50 items/s", f"{first_rate / 50:,.0f}x first load, {again_rate / 50:,.0f}x re-run"),
        ("verdict", "PASS" if ok else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--warehouses", type=int, default=3)
    args = parser.parse_args()
    proc, conn, url = start_sandbox(items=args.items, warehouses=args.warehouses, rate_limit=0)
    setup_django(url, rate_limit=0)
    try:
        rows = with_test_db(lambda: _measure(args.items), label="b1")
    finally:
        conn.send("stop")
        proc.join(timeout=10)
    print_table("B1 full pull of items with stock, rate limit off", rows)
    return 0 if rows[-1][1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
