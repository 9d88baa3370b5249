"""B4: queue drain — 20,000 queued events, 2 worker processes, PostgreSQL, audit and events included.

    .venv/bin/python bench/b4_queue_drain.py [--events 20000] [--workers 2] [--batch-size 200]

Uses DATABASE_URL when it points at PostgreSQL, else postgres://postgres@127.0.0.1:5432/tds_bench_queue
(created and migrated if missing; the bench tables are emptied first). Starts the
workers (`manage.py tds_worker`) on an empty queue, then commits 20,000 Zoho-shaped
item events into the inbox in one transaction (15 % of them newer versions of records
already in the batch, delivered later) and times from that commit to the last item
completed. The workers do everything they do in production: promote inbox events to
queue items, claim with SKIP LOCKED and a lease, keep the newest event per record,
upsert through the sync engine (mapper, stale guard, audit trail, events), mark done.
Then the ceiling: the same number of queue rows drained by as many connections with FOR UPDATE SKIP
LOCKED and no application work (bench/ceilings.py).
Goal: >= 2,000 events/s, no event applied twice.
Baseline: 85 items/min (150/min with 5 workers).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.ceilings import skip_locked_drain  # noqa: E402
from bench.result import emit  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_queue"
UPDATED_SHARE = 0.15


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DB


def _setup(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tds_site.settings", ZOHO_SANDBOX="true",
                      TDS_LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tds_inbox_events, tds_sync_queue, tds_dead_letter_queue, tds_audit_trail, "
                       "stock_levels, products CASCADE")


def _record(n: int, version: int) -> dict:
    return {"item_id": f"47000{n:08d}", "name": f"Queue item {n} v{version}", "sku": f"Q-{n:06d}",
            "rate": 10 + version + n % 5, "purchase_rate": 7.5, "status": "active", "unit": "pcs",
            "description": "Bench item " * 10, "brand": "TSH", "stock_on_hand": n % 40, "available_stock": n % 35,
            "custom_fields": [{"label": "Arabic Name", "value": "منتج"}],
            "last_modified_time": f"2025-11-18T0{2 + version}:{n // 60 % 60:02d}:{n % 60:02d}+0300"}


def _events(count: int) -> list:
    from django.utils import timezone

    updates = int(count * UPDATED_SHARE)
    distinct = count - updates
    pairs = [(n, 0) for n in range(distinct)] + [(n, 1) for n in range(updates)]
    now = timezone.now()
    return [_event(_record(n, v), f"b4:{n}:{v}", now) for n, v in pairs]


def _event(record: dict, key: str, now: object) -> object:
    from sync.models import InboxEvent
    from zoho.webhooks import parse_zoho_time

    return InboxEvent(source="webhook", entity="items", zoho_id=record["item_id"], payload={"item": record},
                      signature_valid=True, signature_method="hmac", dedupe_key=key, received_at=now,
                      zoho_last_modified=parse_zoho_time(record["last_modified_time"]))


def _start_workers(url: str, workers: int, batch_size: int, apply: str) -> list[subprocess.Popen]:
    # The workers wait for the events on an empty queue: a minute of idling before they give up covers
    # writing 20,000 events on a busy machine (they are stopped once the drain is over, which is not timed).
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.settings", "PYTHONUNBUFFERED": "1"}
    procs = [subprocess.Popen([sys.executable, "manage.py", "tds_worker", "--batch-size", str(batch_size),
                               "--idle-sleep", "0.05", "--exit-when-idle", "60", "--apply", apply],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(workers)]
    for proc in procs:  # wait for "started": Django is loaded, the loop is polling
        line = proc.stdout.readline()
        if "started" not in line:
            raise SystemExit(f"worker did not start: {line}{proc.stdout.read()}")
    return procs


def _drain(events: list, expected_items: int) -> tuple[float, float]:
    from django.db import transaction
    from django.db.models import Max

    from sync.models import InboxEvent, SyncQueueItem

    with transaction.atomic():
        InboxEvent.objects.bulk_create(events, batch_size=2000)
    started = time.time()
    while SyncQueueItem.objects.filter(status="completed").count() < expected_items:
        if time.time() - started > 600:
            raise SystemExit("drain did not finish in 10 minutes")
        time.sleep(0.25)
    last = SyncQueueItem.objects.aggregate(last=Max("completed_at"))["last"].timestamp()
    return started, last


def _counts() -> dict[str, int]:
    from django.db.models import Count

    from sync.models import AuditEntry, DeadLetter, Product, SyncQueueItem

    creates = AuditEntry.objects.filter(action="create").values("zoho_id").annotate(n=Count("id"))
    return {
        "products": Product.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
        "records_created_twice": creates.filter(n__gt=1).count(),
        "dead_letters": DeadLetter.objects.count(),
        "not_completed": SyncQueueItem.objects.exclude(status="completed").count(),
        "newest_version_kept": Product.objects.filter(name__endswith=" v1").count(),
    }


def _worker_totals(outputs: list[str]) -> dict[str, int]:
    totals = {"applied": 0, "superseded": 0, "retried": 0, "dead": 0}
    for output in outputs:
        for key in totals:
            match = re.search(rf"{key} (\d+)", output)
            totals[key] += int(match.group(1)) if match else 0
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--apply", default="sync.pipeline.workers.apply_items",
                        help="apply function (default: the sync engine's upsert; tests.webhooks.helpers.audit_apply "
                             "measures the queue machinery alone)")
    args = parser.parse_args()
    url = _database_url()
    _setup(url)
    events = _events(args.events)
    procs = _start_workers(url, args.workers, args.batch_size, args.apply)
    try:
        started, last = _drain(events, args.events)
    finally:
        # The drain is over (or failed): a graceful stop has each worker finish its round and print its totals,
        # instead of idling out its minute.
        for proc in procs:
            proc.terminate()
        outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    counts = _counts()
    from django.db import connections

    connections.close_all()
    ceiling = skip_locked_drain(url, workers=args.workers, batch=args.batch_size)
    _report(args, last - started, counts, _worker_totals(outputs), ceiling)


def _report(args: argparse.Namespace, wall: float, counts: dict[str, int], totals: dict[str, int],
            ceiling: dict[str, float]) -> None:
    rate = args.events / wall
    twice = totals["applied"] + totals["superseded"] - args.events
    updates = int(args.events * UPDATED_SHARE)
    print(f"\nB4 queue drain: {args.events} events ({args.events - updates} records, {updates} newer versions), "
          f"{args.workers} worker processes, batch {args.batch_size}, PostgreSQL")
    print(f"apply: {args.apply}")
    print(f"{'figure':<34}{'measured':>12}{'goal':>12}{'baseline':>24}")
    print(f"{'events/s':<34}{rate:>12.0f}{'>= 2,000':>12}{'1.4 (85/min)':>24}")
    print(f"{'events/min':<34}{rate * 60:>12.0f}{'':>12}{'150/min with 5 workers':>24}")
    print(f"{'wall (commit -> last completed)':<34}{wall:>11.2f}s")
    print(f"{'applied (upserted)':<34}{totals['applied']:>12}")
    print(f"{'superseded in batch (older)':<34}{totals['superseded']:>12}")
    print(f"{'applied twice':<34}{max(twice, 0):>12}{'0':>12}")
    print(f"{'records created twice (audit)':<34}{counts['records_created_twice']:>12}{'0':>12}")
    for key in ("products", "newest_version_kept", "audit_entries", "dead_letters", "not_completed"):
        print(f"{key.replace('_', ' '):<34}{counts[key]:>12}")
    ok = rate >= 2000 and twice == 0 and counts["records_created_twice"] == 0 and counts["not_completed"] == 0
    print(f"{'ceiling: raw SKIP LOCKED drain/s':<34}{ceiling['items_per_second']:>12.0f}"
          f"{'ratio':>12}{rate / ceiling['items_per_second']:>24.2f}")
    print(f"\nresult: {'PASS' if ok else 'BELOW GOAL'}")
    print(json.dumps({"events_per_second": round(rate), "applied_twice": max(twice, 0), **counts}))
    emit(events=args.events, wall_seconds=wall, events_per_second=rate, applied_twice=max(twice, 0), **counts,
         ceiling=ceiling)


if __name__ == "__main__":
    main()
