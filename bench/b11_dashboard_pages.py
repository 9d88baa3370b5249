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
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.history import history_load  # noqa: E402
from bench.reads import reads_arguments, reads_measure  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    reads_arguments(parser)
    args = parser.parse_args()
    ok = reads_measure(args, default_db=DEFAULT_DB, load=lambda: history_load(args.scale), paths=_pages,
                       title=f"B11 dashboard pages: {args.requests} requests each, year of history loaded in "
                             "{load_seconds:.0f} s", label="page", width=16, goal_ms=GOAL_MS,
                       baseline_ms=BASELINE_MS)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
