"""B11: dashboard pages on a year of history — p95 server time of every /tds-admin page on PostgreSQL.

    .venv/bin/python bench/b11_dashboard_pages.py [--requests 200] [--keep]

Creates postgres://postgres@127.0.0.1:5432/tds_bench_pages (or the database named by DATABASE_URL
when it points at PostgreSQL), migrates it and loads the same year of history as B10 (bench/history.py).
It then logs a staff user in with Django's test Client and sends every dashboard page (after 10
warm-ups) through the full request stack, printing p50/p95/max per page. The database is dropped at
the end unless --keep.
Goal: p95 <= 100 ms each. Baseline of the earlier system: API response time 120 ms.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.history import (  # noqa: E402
    bare_timings,
    database_drop,
    database_setup,
    database_url,
    history_load,
    p95_report,
    percentile,
    table_sizes,
    timed_gets,
)
from bench.result import emit  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_pages"
GOAL_MS = 100.0
BASELINE_MS = 120.0


def _pages() -> dict[str, str]:
    """Page label -> path; the run page shows the newest run that has log lines."""
    from django.urls import reverse

    from sync.models import DeadLetter, SyncLog, SyncQueueItem

    run_id = SyncLog.objects.order_by("-id").values_list("run_id", flat=True).first()
    letter_id = DeadLetter.objects.filter(resolved=False).order_by("-id").values_list("id", flat=True).first()
    item_id = SyncQueueItem.objects.filter(status="failed").order_by("-id").values_list("id", flat=True).first()
    return {
        "overview": reverse("dashboard:overview"),
        "history": reverse("dashboard:history"),
        "run": reverse("dashboard:run", args=[run_id]),
        "dead letters": reverse("dashboard:dead-letters"),
        "dead letters ?": reverse("dashboard:dead-letters") + "?entity=items&error_class=permanent&text=price",
        "a dead letter": reverse("dashboard:dead-letter", args=[letter_id]),
        "queue": reverse("dashboard:queue"),
        "queue ?": reverse("dashboard:queue") + "?entity=items&status=failed&text=timeout",
        "a queue item": reverse("dashboard:queue-item", args=[item_id]),
        "workers": reverse("dashboard:workers"),
        "triggers": reverse("dashboard:triggers"),
        "compare": reverse("dashboard:compare"),
        "alerts": reverse("dashboard:alerts"),
        "metrics 24h": reverse("dashboard:metrics") + "?range=24h",
        "metrics 7d": reverse("dashboard:metrics") + "?range=7d",
        "images": reverse("dashboard:images"),
        "configuration": reverse("dashboard:configuration"),
    }


def _measure(requests: int) -> tuple[dict[str, list[float]], list[float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    client = Client()
    client.force_login(user)
    return timed_gets(client, _pages(), requests=requests), bare_timings(client, requests=requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the year of history to load, newest first (quick runs: 0.02)")
    parser.add_argument("--no-load", action="store_true", help="reuse a database kept with --keep")
    args = parser.parse_args()
    # Pages link their CSS through the static storage: the plain one needs no collectstatic manifest.
    os.environ["TDS_MANIFEST_STATIC"] = "false"
    url = database_url(default=DEFAULT_DB)
    load_seconds = 0.0
    if args.no_load:
        _connect(url)
    else:
        database_setup(url)
    try:
        if not args.no_load:
            load_seconds = history_load(args.scale)
        sizes = table_sizes()
        timings, bare = _measure(args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(url)
    ok = p95_report(title=f"B11 dashboard pages: {args.requests} requests each, year of history loaded in "
                          f"{load_seconds:.0f} s", sizes=sizes, timings=timings, label="page", width=16,
                    goal_ms=GOAL_MS, baseline_ms=BASELINE_MS)
    bare_p95 = percentile(bare, 0.95)
    print(f"ceiling: a bare view through the same client, p95 {bare_p95:.1f} ms; worst ratio "
          f"{max(percentile(s, 0.95) for s in timings.values()) / bare_p95:.1f} x")
    emit(requests=args.requests, scale=args.scale, sizes=sizes, load_seconds=load_seconds,
         p95_ms={name: percentile(s, 0.95) for name, s in timings.items()},
         p50_ms={name: percentile(s, 0.5) for name, s in timings.items()},
         ceiling={"p95_ms": bare_p95, "p50_ms": percentile(bare, 0.5), "requests": len(bare)})
    sys.exit(0 if ok else 1)


def _connect(url: str) -> None:
    """Point Django at an existing bench database without recreating it."""
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tds_site.settings", ZOHO_SANDBOX="true",
                      TDS_LOG_LEVEL="WARNING", REDIS_URL="")
    import django

    django.setup()


if __name__ == "__main__":
    main()
