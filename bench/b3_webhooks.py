"""B3: webhook ingest — 20,000 signed POSTs, 16 concurrent connections, gunicorn on loopback.

    .venv/bin/python bench/b3_webhooks.py [--requests 20000] [--connections 16] [--workers 2]

Uses DATABASE_URL when it points at PostgreSQL, else postgres://postgres@127.0.0.1:5432/tds_bench_webhooks
(created and migrated if missing). Starts gunicorn (sync workers) on a free port with
the real settings, sends Zoho-shaped item deliveries (~1.5 KB, each one distinct and
HMAC-signed) from a lean keep-alive load generator (threads over raw sockets with
prebuilt requests, so the client costs as little CPU as possible on the shared cores),
then compares 2xx answers with inbox rows. The same load then goes to a bare Django view on the same
gunicorn settings (bench/bare_settings.py): the ceiling the figure is a ratio to.
Goal: >= 600 req/s, p99 <= 50 ms, every 2xx has its inbox row.
Baseline: 45 ms per webhook; 1,000 webhooks/hour.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.result import emit, unprofiled  # noqa: E402

SECRET = "bench-webhook-secret-0123456789"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_webhooks"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_DB


def _prepare_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE tds_inbox_events CASCADE")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(url: str, port: int, workers: int, settings: str = "tds_site.settings") -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings,
           "ZOHO_WEBHOOK_SECRET": SECRET, "ZOHO_WEBHOOK_AUTH": "hmac", "DEBUG": "false", "TDS_LOG_LEVEL": "WARNING",
           "STATIC_ROOT": tempfile.mkdtemp(prefix="tds-b3-static-"), "TDS_MANIFEST_STATIC": "false",
           "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-throwaway-key-0123456789-abcdefghijklmnop"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tds_site.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--backlog", "256", "--log-level", "warning",
         "--keep-alive", "5"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def _requests(count: int, port: int) -> list[bytes]:
    from zoho.webhooks import sign

    filler = "Lorem ipsum dolor sit amet " * 24
    out = []
    for n in range(count):
        record = {"item_id": f"46000{n:08d}", "name": f"Bench item {n}", "sku": f"B-{n:06d}", "rate": 12.5 + n % 7,
                  "purchase_rate": 9.75, "status": "active", "unit": "pcs", "description": filler,
                  "stock_on_hand": n % 50, "available_stock": n % 45, "brand": "TSH",
                  "custom_fields": [{"label": "Arabic Name", "value": "منتج تجريبي"}],
                  "last_modified_time": f"2025-11-18T02:{n // 60 % 60:02d}:{n % 60:02d}+0300"}
        body = json.dumps({"item": record}, ensure_ascii=False).encode()
        head = (f"POST /api/webhooks/zoho HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"X-Zoho-Webhook-Signature: {sign(body, SECRET)}\r\nContent-Length: {len(body)}\r\n\r\n")
        out.append(head.encode() + body)
    return out


class Client(threading.Thread):
    """One connection: send, read the answer, reconnect when the server closes."""

    def __init__(self, port: int, work: list[bytes], counter: itertools.count, results: list) -> None:
        super().__init__(daemon=True)
        self.port, self.work, self.counter, self.results = port, work, counter, results
        self.sock: socket.socket | None = None

    def run(self) -> None:
        while (index := next(self.counter)) < len(self.work):
            started = time.perf_counter()
            try:
                status = self._roundtrip(self.work[index])
            except OSError:
                self._close()
                status = 0
            self.results.append((status, time.perf_counter() - started))
        self._close()

    def _roundtrip(self, request: bytes) -> int:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        head, rest = self._read_head()
        length = int(_header(head, b"content-length") or 0)
        while len(rest) < length:
            rest += self.sock.recv(65536)
        if (_header(head, b"connection") or b"").lower() == b"close":
            self._close()
        return int(head.split(b" ", 2)[1])

    def _read_head(self) -> tuple[bytes, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest

    def _close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _load(port: int, work: list[bytes], connections: int) -> tuple[list, float]:
    counter, results = itertools.count(), []
    clients = [Client(port, work, counter, results) for _ in range(connections)]
    started = time.perf_counter()
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return results, time.perf_counter() - started


def _inbox_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM tds_inbox_events").fetchone()[0]


def _stats(results: list, wall: float) -> dict[str, float]:
    latencies = sorted(t for _s, t in results)
    ok = sum(1 for s, _t in results if 200 <= s < 300)
    return {"requests": len(results), "ok": ok, "errors": len(results) - ok, "rate": len(results) / wall,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, "wall": wall}


def _report(results: list, wall: float, rows: int, args: argparse.Namespace, bare: dict[str, float]) -> None:
    stats = _stats(results, wall)
    ok, errors, rate, p50, p99 = stats["ok"], stats["errors"], stats["rate"], stats["p50_ms"], stats["p99_ms"]
    print(f"\nB3 webhook ingest: {len(results)} signed POSTs, {args.connections} connections, "
          f"gunicorn {args.workers} sync workers, PostgreSQL")
    print(f"{'figure':<28}{'measured':>14}{'goal':>14}{'baseline':>24}")
    print(f"{'requests/s':<28}{rate:>14.0f}{'>= 600':>14}{'0.28 (1,000/hour)':>24}")
    print(f"{'p50 latency':<28}{p50:>12.1f}ms{'':>14}{'45 ms per webhook':>24}")
    print(f"{'p99 latency':<28}{p99:>12.1f}ms{'<= 50 ms':>14}{'':>24}")
    print(f"{'2xx answers':<28}{ok:>14}{'':>14}")
    print(f"{'non-2xx / errors':<28}{errors:>14}{'0':>14}")
    print(f"{'inbox rows':<28}{rows:>14}{'= 2xx':>14}")
    print(f"{'wall':<28}{wall:>13.1f}s")
    print(f"{'ceiling: bare view req/s':<28}{bare['rate']:>14.0f}{'ratio':>14}{rate / bare['rate']:>24.2f}")
    print(f"{'ceiling: bare view p99':<28}{bare['p99_ms']:>12.1f}ms{'ratio':>14}{p99 / bare['p99_ms']:>24.2f}")
    emit(**stats, inbox_rows=rows, connections=args.connections, workers=args.workers, ceiling=bare)
    verdict = rate >= 600 and p99 <= 50 and rows == ok and errors == 0
    print(f"\nresult: {'PASS' if verdict else 'BELOW GOAL'}"
          f" (rows {'=' if rows == ok else '!='} 2xx)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--ceiling-requests", type=int, default=5000,
                        help="POSTs sent to the bare view (the ceiling) after the measured run")
    args = parser.parse_args()
    url = _database_url()
    _prepare_database(url)
    port = _free_port()
    with unprofiled():
        work = _requests(args.requests, port)
    server = _start_gunicorn(url, port, args.workers)
    try:
        results, wall = _load(port, work, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    _report(results, wall, _inbox_rows(url), args, _ceiling(url, args))


def _ceiling(url: str, args: argparse.Namespace) -> dict[str, float]:
    """The same load against a bare view on the same gunicorn settings (bench/bare_settings.py)."""
    port = _free_port()
    with unprofiled():
        work = _requests(min(args.requests, args.ceiling_requests), port)
        server = _start_gunicorn(url, port, args.workers, settings="bench.bare_settings")
    try:
        with unprofiled():
            return _stats(*_load(port, work, args.connections))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
