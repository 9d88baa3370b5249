"""B12: API reads under many callers — 16 keep-alive connections against gunicorn on PostgreSQL.

    .venv/bin/python bench/b12_api_polling.py [--seconds 10] [--connections 16] [--history] [--paths P,P,...]

Creates postgres://postgres@127.0.0.1:5432/tds_bench_polling (or the database named by DATABASE_URL when
it points at PostgreSQL), migrates it and fills it with a working day of state (runs, a queue backlog,
dead letters, webhook events, alerts, products), or with --history the year B10 and B11 use
(bench/history.py). It starts gunicorn with the production settings (tds_site/gunicorn.conf.py: gthread
workers, WEB_CONCURRENCY and TDS_WEB_THREADS as set, Redis when REDIS_URL is set) plus one bare Django
view, then for each endpoint in turn drives it for --seconds with --connections keep-alive connections
(the loader of B3: threads over raw sockets with prebuilt requests), a staff user's token on every API
call, and prints req/s, p50 and p99 beside the ceiling: the bare view on the same server in the same run.
--paths drives only the endpoints named (the runner's quick run: a few, a second or two each); the ceiling
always runs. Goal: every BFF GET >= 0.5 x the ceiling's req/s and p99 <= 100 ms. The database is dropped
at the end.
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.b3_webhooks import Client, _free_port  # noqa: E402
from bench.history import database_drop, database_setup, database_url, history_load  # noqa: E402
from bench.result import emit, unprofiled  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_polling"
SECRET_KEY = "bench-only-throwaway-key-0123456789-abcdefghijklmnop"
RATIO_GOAL, P99_GOAL_MS = 0.5, 100.0
CEILING = "/bench/bare"
ENDPOINTS = [  # path, sent with the token
    (CEILING, False),
    ("/api/tds/health", False),
    ("/api/tds/status", True),
    ("/api/bff/tds/status", True),
    ("/api/bff/tds/recent", True),
    ("/api/bff/tds/health", True),
    ("/api/bff/tds/dashboard", True),
    ("/api/bff/tds/runs", True),
    ("/api/bff/tds/sync/stock/stats", True),
]


def _state_load() -> None:
    """A working day: 300 runs, 431 queue items waiting, 5,000 done, dead letters, events, alerts, products."""
    from datetime import timedelta

    from django.utils import timezone

    from sync.models import Alert, DeadLetter, InboxEvent, Product, SyncQueueItem, SyncRun

    now = timezone.now()
    entities = ("items", "customers", "invoices", "sales_orders", "bills")
    SyncRun.objects.bulk_create([SyncRun(run_type="incremental", entity=entities[n % 5], trigger="schedule",
                                         status="completed", processed=n % 400, progress=100.0, api_calls=2,
                                         started_at=now - timedelta(minutes=5 * n),
                                         finished_at=now - timedelta(minutes=5 * n - 1), duration_seconds=12.0)
                                 for n in range(300)])
    SyncQueueItem.objects.bulk_create([SyncQueueItem(entity="items", zoho_id=f"Q{n}", priority=1 + n % 8,
                                                     status="completed" if n >= 431 else
                                                     ("pending" if n < 400 else "failed"))
                                       for n in range(5431)])
    DeadLetter.objects.bulk_create([DeadLetter(entity="items", zoho_id=f"D{n}", error_class="transient",
                                               error_message="bench", resolved=n > 12) for n in range(500)])
    InboxEvent.objects.bulk_create([InboxEvent(entity="items", zoho_id=f"E{n}", dedupe_key=f"bench:{n}",
                                               status="processed", processed_at=now) for n in range(2000)])
    Alert.objects.bulk_create([Alert(severity="warning", code=code, message="over the threshold")
                               for code in ("queue_backlog", "stale_entity", "dead_letters")])
    Product.objects.bulk_create([Product(zoho_item_id=f"P{n}", name=f"Bench {n}", sku=f"B-{n}",
                                         stock_quantity=n % 7) for n in range(2000)])


def _token() -> str:
    from django.contrib.auth import get_user_model

    from sync.api.tokens import token_create

    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    return token_create(user=user)[1]


def _start_gunicorn(url: str, port: int, redis: str) -> subprocess.Popen:
    """gunicorn as deployed; its own log goes to a file named if it fails to start."""
    log = tempfile.NamedTemporaryFile(prefix="tds-b12-gunicorn-", suffix=".log", delete=False)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis, "DJANGO_SETTINGS_MODULE": "bench.b12_site",
           "DEBUG": "false", "TDS_LOG_LEVEL": "WARNING", "STATIC_ROOT": tempfile.mkdtemp(prefix="tds-b12-static-"),
           "TDS_MANIFEST_STATIC": "false", "SECRET_KEY": os.environ.get("SECRET_KEY") or SECRET_KEY,
           "TDS_METRICS_TOKEN": "bench", "TDS_WEB_BIND": f"127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "tds_site/gunicorn.conf.py", "tds_site.wsgi"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _once(port, CEILING, None) == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; its log: {log.name}")


def _request(port: int, path: str, key: str | None) -> bytes:
    auth = f"Authorization: Token {key}\r\n" if key else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n{auth}\r\n".encode()


def _once(port: int, path: str, key: str | None) -> int:
    results: list = []
    Client(port, [_request(port, path, key)], itertools.count(), results).run()
    return results[0][0]


class _Endless(list):
    """The same prebuilt request for as long as the clock runs (B3's Client takes work by index)."""

    def __init__(self, request: bytes, until: float) -> None:
        super().__init__()
        self.request, self.until = request, until

    def __len__(self) -> int:
        return sys.maxsize if time.perf_counter() < self.until else 0

    def __getitem__(self, index: object) -> bytes:  # type: ignore[override]
        return self.request


def _drive(port: int, path: str, key: str | None, seconds: float, connections: int) -> dict[str, float]:
    _once(port, path, key)  # warm: the first answer pays for imports and connections
    work = _Endless(_request(port, path, key), time.perf_counter() + seconds)
    counter, results = itertools.count(), []
    clients = [Client(port, work, counter, results) for _ in range(connections)]
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    wall = time.perf_counter() - started
    latencies = sorted(t for _s, t in results) or [0.0]
    return {"rate": len(results) / wall, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
            "errors": sum(1 for s, _t in results if s != 200), "requests": len(results)}


def _report(figures: dict[str, dict[str, float]], args: argparse.Namespace, redis: str) -> bool:
    ceiling = figures[CEILING]
    print(f"\nB12 API reads under many callers: {args.connections} connections, {args.seconds:g} s per endpoint, "
          f"gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers x {os.environ.get('TDS_WEB_THREADS', '4')} "
          f"threads, PostgreSQL, Redis {'on' if redis else 'off'}")
    print(f"{'endpoint':<32}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-200':>9}"
          f"{'ceiling req/s':>15}{'x ceiling':>11}  goal (>= 0.5 x, p99 <= 100 ms)")
    ok = True
    for path, row in figures.items():
        ratio = row["rate"] / ceiling["rate"] if ceiling["rate"] else 0.0
        goal = ""
        if path.startswith("/api/bff/"):
            met = ratio >= RATIO_GOAL and row["p99"] <= P99_GOAL_MS and not row["errors"]
            ok &= met
            goal = "met" if met else "MISSED"
        print(f"{path:<32}{row['rate']:>8.0f}{row['p50']:>9.1f}{row['p99']:>9.1f}{int(row['errors']):>9}"
              f"{ceiling['rate']:>15.0f}{ratio:>10.2f}x  {goal}")
    print(f"\nresult: {'PASS' if ok else 'BELOW GOAL'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--history", action="store_true", help="load the year of history of B10/B11")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--paths", help="comma-separated endpoints to drive (default: all of them)")
    args = parser.parse_args()
    known = dict(ENDPOINTS)
    wanted = [p.strip() for p in args.paths.split(",") if p.strip()] if args.paths else list(known)
    unknown = [p for p in wanted if p not in known]
    if unknown:
        parser.error(f"unknown endpoint {', '.join(unknown)}; known: {', '.join(p for p in known if p != CEILING)}")
    endpoints = [(CEILING, False)] + [(p, known[p]) for p in wanted if p != CEILING]
    os.environ["TDS_MANIFEST_STATIC"] = "false"
    url = database_url(default=DEFAULT_DB)
    redis = os.environ.get("REDIS_URL", "")  # for the server: the bench process itself runs without it
    database_setup(url)
    server = None
    try:
        with unprofiled():
            history_load() if args.history else _state_load()
        key = _token()
        from django.db import connections

        connections.close_all()
        port = _free_port()
        server = _start_gunicorn(url, port, redis)
        figures: dict[str, dict[str, float]] = {}
        for path, with_key in endpoints:
            with unprofiled() if path == CEILING else nullcontext():
                figures[path] = _drive(port, path, key if with_key else None, args.seconds, args.connections)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            database_drop(url)
    ok = _report(figures, args, redis)
    emit(seconds=args.seconds, connections=args.connections, history=args.history, redis=bool(redis),
         endpoints={path: row for path, row in figures.items() if path != CEILING}, ceiling=figures[CEILING])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    threading.excepthook = lambda hook: None if hook.exc_type is SystemExit else sys.__excepthook__(
        hook.exc_type, hook.exc_value, hook.exc_traceback)
    main()
