"""B6: 1,000 product images with thumbnails from the sandbox, then an immediate re-run.

    .venv/bin/python bench/b6_images.py [--images 1000] [--concurrency 16]

The sandbox runs in a separate process (rate limit off) so its HTTP work does
not share this process's GIL. The benchmark creates a throw-away test
database (tds_bench_b6_<pid> on PostgreSQL, in-memory on SQLite) and a temporary
MEDIA_ROOT, so it leaves nothing behind. The ceiling: Pillow alone decoding the stored originals and
writing their WebP thumbnails in one process. Goal: >= 100 images/s,
re-run downloads 0. Baseline: 50 images in ~5 min.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from b1_full_pull import print_table, with_test_db  # noqa: E402

from bench.ceilings import pillow_thumbnails  # noqa: E402
from bench.result import emit  # noqa: E402

BASELINE_PER_SECOND = 50 / 300  # "Image download (50 images) ~5 min"


def _serve(config: dict[str, Any], conn: Any) -> None:
    """Child process: run the sandbox; answer "calls" and "stop" on the pipe."""
    from zoho.sandbox import SandboxConfig, SandboxServer

    warm = config.pop("warm")
    with SandboxServer(SandboxConfig(**config)) as sb:
        items = sb.store.list("items")
        if warm:  # Zoho serves stored files: draw the sandbox's pictures before the clock starts
            for record in items:
                if record.get("image_name"):
                    sb.app.images.get(record["item_id"], record["image_type"], 0)
        conn.send({"url": sb.url, "items": items})
        while True:
            command = conn.recv()
            if command == "stop":
                return
            conn.send({"calls": sb.calls.by_endpoint(), "cpu": time.process_time()})


def _setup_django(concurrency: int, url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tds_site.settings")
    os.environ.update(ZOHO_SANDBOX="true", ZOHO_ACCOUNTS_URL=url, ZOHO_RATE_LIMIT_PER_MINUTE="0",
                      ZOHO_MAX_CONCURRENCY=str(concurrency), MEDIA_ROOT=tempfile.mkdtemp(prefix="tds-b6-"))
    import django

    django.setup()


def _sandbox_state(conn: Any) -> tuple[int, float]:
    """(image calls served so far, sandbox CPU seconds so far)."""
    conn.send("state")
    state = conn.recv()
    return sum(n for endpoint, n in state["calls"].items() if endpoint.rstrip("/").endswith("/image")), state["cpu"]


def _run(args: argparse.Namespace, conn: Any, hello: dict[str, Any]) -> list[tuple[str, str]]:
    from sync.images.run import image_figures, images_sync
    from tests.images.helpers import products_from_records

    records = [r for r in hello["items"] if r.get("image_name")][: args.images]
    products_from_records(records)
    calls_0, sandbox_cpu_0 = _sandbox_state(conn)
    cpu_0 = time.process_time()
    first = image_figures(images_sync(concurrency=args.concurrency))
    cpu = {"tds": time.process_time() - cpu_0}
    calls_1, sandbox_cpu_1 = _sandbox_state(conn)
    cpu["sandbox"] = sandbox_cpu_1 - sandbox_cpu_0
    again = image_figures(images_sync(concurrency=args.concurrency))
    calls_2, _ = _sandbox_state(conn)
    from sync.images.store import THUMB_SIZE

    ceiling = pillow_thumbnails(_originals(), size=THUMB_SIZE)
    emit(images=args.images, stored=first.downloaded + first.deduplicated, failed=first.failed,
         wall_seconds=first.duration, images_per_second=first.images_per_second, again_downloaded=again.downloaded,
         again_calls=calls_2 - calls_1, ceiling=ceiling)
    rows = _table(args, first, again, (calls_1 - calls_0, calls_2 - calls_1), cpu)
    rows.insert(-1, ("ceiling: Pillow decode + WebP thumbnail, one process",
                     f"{ceiling['images_per_second']:.0f} images/s; ratio "
                     f"{first.images_per_second / ceiling['images_per_second']:.2f}"))
    return rows


def _originals() -> list[Path]:
    """The originals the first run stored in the local media storage (their thumbnails are in a folder below)."""
    from django.core.files.storage import default_storage

    from sync.images.store import PRODUCTS_DIR, TEMP_PREFIX

    _folders, files = default_storage.listdir(PRODUCTS_DIR)
    return sorted(Path(default_storage.path(f"{PRODUCTS_DIR}/{name}")) for name in files
                  if not name.startswith(TEMP_PREFIX))


def _table(args: argparse.Namespace, first: Any, again: Any, calls: tuple[int, int], cpu: dict[str, float]) -> list:
    from django.db import connection

    rate, (calls_first, calls_again) = first.images_per_second, calls
    stored = max(1, first.downloaded + first.deduplicated)
    return [
        ("database", connection.vendor), ("images requested", str(args.images)),
        ("machine", f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"),
        ("sandbox pictures", "drawn on request (--cold)" if args.cold else "pre-drawn, like Zoho's stored files"),
        ("concurrency", str(args.concurrency)),
        ("first run: stored (new + shared)", f"{first.downloaded} + {first.deduplicated}"),
        ("first run: refused / failed", f"{first.refused} / {first.failed}"),
        ("first run: image calls (sandbox)", str(calls_first)),
        ("first run: MB", f"{first.bytes / 1e6:.1f}"),
        ("first run: wall", f"{first.duration:.2f} s"),
        ("first run: CPU per image, TDS / sandbox", f"{cpu['tds'] / stored * 1000:.1f} / "
                                                   f"{cpu['sandbox'] / stored * 1000:.1f} ms"),
        ("first run: images/s (with thumbnails)", f"{rate:.0f}"),
        ("goal", ">= 100 images/s"),
        ("baseline", f"{BASELINE_PER_SECOND:.2f} images/s (50 in ~5 min)"),
        ("speed-up over baseline", f"{rate / BASELINE_PER_SECOND:.0f}x"),
        ("re-run: downloaded / image calls", f"{again.downloaded} / {calls_again}"),
        ("re-run: wall", f"{again.duration:.2f} s"),
        ("verdict", "PASS" if rate >= 100 and again.downloaded == 0 and calls_again == 0 else "FAIL"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cold", action="store_true",
                        help="let the sandbox draw each picture on its first request (counts its CPU in the figure)")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    config = {"items": int(args.images * 1.5) + 50, "seed": args.seed, "rate_limit_per_minute": 0,
              "daily_limit": 1_000_000, "max_concurrency": max(10, args.concurrency), "warm": not args.cold}
    server = ctx.Process(target=_serve, args=(config, child), daemon=True)
    server.start()
    hello = parent.recv()
    _setup_django(args.concurrency, hello["url"])
    try:
        rows = with_test_db(lambda: _run(args, parent, hello), label="b6")
    finally:
        parent.send("stop")
        server.join(timeout=10)
    print_table("B6 product images", rows)
    return 0 if rows[-1][1] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
