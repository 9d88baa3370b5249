"""B5: `tds_compare --deep` on 10,000 items: API calls and local work.

    .venv/bin/python bench/b5_compare.py [--items 10000]

The sandbox runs in a separate process (rate limit off) so its HTTP work does not
share this process's GIL. The benchmark creates a throw-away test database
(test_<name> on PostgreSQL when DATABASE_URL points there, in-memory on SQLite),
loads the local mirror straight from the sandbox's records (the compare is what is
measured, not the pull), makes a few known differences, then runs the real
`tds_compare --deep --entities items stock images` command.
Goal: API calls = list pages only; local work (wall minus time inside
HTTP calls) <= 2 s. Baseline: quick comparison 20-30 s.
"""
from __future__ import annotations

import argparse
import io
import math
import multiprocessing as mp
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from b1_full_pull import print_table, with_test_db  # noqa: E402

from bench.result import emit  # noqa: E402

DIFFERENCES = 5  # of each kind: missing locally, stale locally, local only


def _serve(config: dict[str, Any], conn: Any) -> None:
    """Child process: run the sandbox; answer "calls" and "stop" on the pipe."""
    from zoho.sandbox import SandboxConfig, SandboxServer

    with SandboxServer(SandboxConfig(**config)) as sb:
        conn.send({"url": sb.url, "items": sb.store.list("items")})
        while True:
            command = conn.recv()
            if command == "stop":
                return
            conn.send(sb.calls.by_endpoint())


def _setup_django(url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tds_site.settings")
    os.environ.update(ZOHO_SANDBOX="true", ZOHO_ACCOUNTS_URL=url, ZOHO_RATE_LIMIT_PER_MINUTE="0",
                      TDS_LOGS_DIR=tempfile.mkdtemp(prefix="tds-b5-logs-"), TDS_LOG_LEVEL="WARNING")
    import django

    django.setup()


def _product(record: dict) -> Any:
    from sync.compare.deep import to_decimal
    from sync.images.plan import zoho_image_key
    from sync.models import Product

    key = zoho_image_key(record)
    return Product(zoho_item_id=str(record["item_id"]), name=record.get("name") or "", raw={},
                   zoho_last_modified=datetime.fromisoformat(record["last_modified_time"]),
                   stock_quantity=to_decimal(record.get("stock_on_hand")), image_source_key=key,
                   image_url=f"/media/products/{record['item_id']}.jpg" if key else "")


def _load_mirror(records: list[dict]) -> None:
    """The local mirror as a finished sync leaves it, minus DIFFERENCES records of each kind."""
    from django.utils import timezone

    from sync.models import Product, SyncCursor

    Product.objects.bulk_create([_product(r) for r in records[DIFFERENCES:]], batch_size=2000)
    stale = [str(r["item_id"]) for r in records[DIFFERENCES:2 * DIFFERENCES]]
    Product.objects.filter(zoho_item_id__in=stale).update(zoho_last_modified=datetime(2020, 1, 1).astimezone())
    Product.objects.bulk_create([Product(zoho_item_id=f"local-only-{i}", name="x") for i in range(DIFFERENCES)])
    newest = max(datetime.fromisoformat(r["last_modified_time"]) for r in records)
    SyncCursor.objects.update_or_create(entity="items", defaults={
        "watermark": newest, "last_full_run_at": timezone.now(), "last_incremental_run_at": timezone.now()})


def _measure(conn: Any) -> tuple[Any, float, dict[str, int]]:
    from django.core.management import call_command

    from sync.models import SyncRun

    conn.send("calls")
    before = conn.recv()
    started = time.perf_counter()
    call_command("tds_compare", "--deep", "--entities", "items", "stock", "images", stdout=io.StringIO())
    wall = time.perf_counter() - started
    conn.send("calls")
    after = conn.recv()
    calls = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}
    return SyncRun.objects.filter(run_type="compare").latest("created_at").summary, wall, calls


def _table(n_items: int, report: dict, wall: float, calls: dict[str, int]) -> list[tuple[str, str]]:
    from django.db import connection

    pages = math.ceil(n_items / 200)
    api = report["api_calls"]["total"]
    list_calls = sum(v for k, v in calls.items() if k.rstrip("/").endswith("/items"))
    other = sum(calls.values()) - list_calls
    local = wall - report["timings"]["http_seconds"]
    items = report["comparisons"][0]
    ok = api == pages and list_calls == pages and local <= 2.0
    emit(items=n_items, list_pages=pages, api_calls=api, list_calls=list_calls, other_calls=other, wall_seconds=wall,
         local_seconds=local, match_pct=items["match_pct"])
    return [
        ("database", connection.vendor), ("items in Zoho", f"{n_items:,}"),
        ("list pages (200 per page)", str(pages)),
        ("API calls (client stats)", str(api)),
        ("sandbox requests: item list pages / other (token)", f"{list_calls} / {other}"),
        ("found missing-local / missing-in-Zoho / stale",
         f"{items['missing_local']['count']} / {items['missing_in_zoho']['count']} / {items['stale']['count']}"),
        ("items match", f"{items['match_pct']:.2f} %"),
        ("wall (whole command)", f"{wall:.2f} s"),
        ("time inside HTTP calls", f"{report['timings']['http_seconds']:.2f} s"),
        ("local work (wall - HTTP)", f"{local:.2f} s"),
        ("goal", "API calls = list pages; local work <= 2 s"),
        ("baseline", "quick comparison 20-30 s"),
        ("verdict", "PASS" if ok else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=({"items": args.items, "seed": args.seed,
                                              "rate_limit_per_minute": 0}, child), daemon=True)
    server.start()
    hello = parent.recv()
    _setup_django(hello["url"])

    def work() -> list[tuple[str, str]]:
        _load_mirror(hello["items"])
        return _table(len(hello["items"]), *_measure(parent))

    try:
        rows = with_test_db(work, label="b5")
    finally:
        parent.send("stop")
        server.join(timeout=10)
    print_table("B5 tds_compare --deep", rows)
    return 0 if rows[-1][1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
