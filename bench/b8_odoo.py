"""B8: Odoo push of 2,000 products into the fake Odoo over loopback, a re-run, then 10 edits.

    .venv/bin/python bench/b8_odoo.py [--items 2000] [--version 19]

The Zoho sandbox and the fake Odoo each run in a process of their own (their HTTP work does
not share this process's GIL). In a throw-away database the benchmark pulls the items from the
sandbox (not timed), then times `tds_odoo_sync --once` three times: the first push (every
product created), an immediate re-run (nothing changed: 0 writes), and a run after 10 products
were edited through the sandbox's mutation API and pulled again (exactly 10 writes). Odoo
write calls are counted by the fake itself (/_fake/counters), not by the client.
The ceiling: the fake answering as many empty calls (a search_count matching nothing) as the first
push made, through the same client: products/s if no call carried any work.
Goal: first push >= 500 products/s; re-run 0 writes; 10 edits -> 10 writes.
Baseline: 2,000 products in 30-60 s.
"""
from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from b1_full_pull import print_table, setup_django, start_sandbox, with_test_db  # noqa: E402

from bench.ceilings import odoo_empty_calls  # noqa: E402
from bench.result import emit  # noqa: E402

BASELINE = "2,000 products in 30-60 s (33-67 products/s)"
EDITS = 10


def _serve_odoo(version: int, conn: Any) -> None:
    """Child process: the fake Odoo until "stop" arrives on the pipe."""
    from odoo.fake import FakeConfig, FakeOdooServer

    with FakeOdooServer(FakeConfig(version=version)) as odoo:
        conn.send({"url": odoo.url, "db": odoo.config.db, "login": odoo.config.login, "key": odoo.config.api_key})
        conn.recv()


def start_odoo(version: int) -> tuple[Any, Any, dict[str, str]]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve_odoo, args=(version, child), daemon=True)
    proc.start()
    return proc, parent, parent.recv()


def odoo_writes(url: str) -> tuple[int, int, int]:
    """(write calls, records written, all calls) as the fake Odoo counted them; counters reset afterwards."""
    counters = requests.get(f"{url}/_fake/counters", timeout=10).json()
    requests.post(f"{url}/_fake/reset-counters", timeout=10)
    return counters["write_calls"], sum(counters["records_written"].values()), sum(counters["calls"].values())


def timed_push(url: str) -> tuple[Any, float, tuple[int, int, int]]:
    from django.core.management import call_command

    from sync.models import SyncRun

    started = time.perf_counter()
    call_command("tds_odoo_sync", "--once", stdout=io.StringIO())
    wall = time.perf_counter() - started
    return SyncRun.objects.filter(run_type="odoo").latest("created_at"), wall, odoo_writes(url)


def edit_in_zoho(sandbox_url: str) -> None:
    """Ten different edits through the sandbox's mutation API, as a Zoho user would make them."""
    items = requests.get(f"{sandbox_url}/_sandbox/records/items", timeout=30).json()["records"]
    for n, item in enumerate(items[:EDITS]):
        changes = {"name": f"{item['name']} (edited {n})", "rate": round(float(item["rate"]) + n + 1, 2)}
        requests.post(f"{sandbox_url}/_sandbox/edit", json={"entity": "items", "id": item["item_id"],
                                                            "changes": changes}, timeout=10).raise_for_status()


def _measure(n_items: int, sandbox_url: str, odoo_url: str) -> list[tuple[str, str]]:
    from django.db import connection

    from sync.pull.run import pull_entity

    pull_entity(entity="items", full=True, trigger="cli")
    odoo_writes(odoo_url)
    first, first_s, (first_calls, first_records, first_push_calls) = timed_push(odoo_url)
    again, again_s, (again_calls, _, _) = timed_push(odoo_url)
    edit_in_zoho(sandbox_url)
    pull_entity(entity="items", trigger="cli")
    edited, edited_s, (edit_calls, edit_records, _) = timed_push(odoo_url)
    rate = n_items / first_s
    counts = first.summary.get("counts") or {}
    ok = rate >= 500 and again_calls == 0 and edit_calls == EDITS and first.created == n_items
    ceiling = odoo_empty_calls(first_push_calls)
    ceiling["products_per_second"] = n_items / ceiling["seconds"] if ceiling["seconds"] else 0.0
    emit(items=n_items, first_seconds=first_s, products_per_second=rate, created=first.created,
         first_calls=first_push_calls, again_write_calls=again_calls, edit_write_calls=edit_calls, ceiling=ceiling)
    return [
        ("database", connection.vendor),
        ("Odoo (fake)", f"{first.summary.get('odoo_version')} over {first.summary.get('protocol')}"),
        ("products in Zoho", f"{n_items:,}"),
        ("first push", f"{first_s:.2f} s = {rate:,.0f} products/s; created {first.created}; "
                       f"{first_calls} write calls for {first_records} records"),
        ("counts after the first push", f"Zoho {counts.get('zoho')} / Odoo {counts.get('odoo')} "
                                        f"(match {'yes' if counts.get('match') else 'no'})"),
        ("re-run, nothing changed", f"{again_s:.2f} s; unchanged {again.unchanged}; {again_calls} write calls"),
        (f"after {EDITS} edits in Zoho + pull", f"{edited_s:.2f} s; updated {edited.updated}; {edit_calls} write "
                                                f"calls for {edit_records} records"),
        ("machine load average (1 min) at the end", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
        ("ceiling: the fake answering as many empty calls", f"{first_push_calls} calls in {ceiling['seconds']:.2f} s"
                                                             f" = {ceiling['products_per_second']:,.0f} products/s; "
                                                             f"ratio {rate / ceiling['products_per_second']:.2f}"),
        ("goal", f">= 500 products/s first; re-run 0 writes; {EDITS} edits -> {EDITS} writes"),
        ("baseline", BASELINE),
        ("speed-up vs 60 s for 2,000", f"{rate / (2000 / 60):,.0f}x"),
        ("verdict", "PASS" if ok else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--version", type=int, default=19, choices=(17, 18, 19), help="fake Odoo profile")
    args = parser.parse_args()
    sandbox, sandbox_conn, sandbox_url = start_sandbox(items=args.items, warehouses=1, rate_limit=0)
    odoo, odoo_conn, odoo_info = start_odoo(args.version)
    os.environ.update(ODOO_URL=odoo_info["url"], ODOO_DB=odoo_info["db"], ODOO_USERNAME=odoo_info["login"],
                      ODOO_API_KEY=odoo_info["key"])
    setup_django(sandbox_url, rate_limit=0)
    try:
        rows = with_test_db(lambda: _measure(args.items, sandbox_url, odoo_info["url"]), label="b8")
    finally:
        for conn, proc in ((sandbox_conn, sandbox), (odoo_conn, odoo)):
            conn.send("stop")
            proc.join(timeout=10)
    print_table(f"B8 Odoo push of {args.items:,} products (fake Odoo {args.version})", rows)
    return 0 if rows[-1][1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
