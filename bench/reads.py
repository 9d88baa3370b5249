"""The one measurement of the read benchmarks (B10, B11, B13) on a year of history.

``reads_arguments`` adds their common options; ``reads_measure`` makes the bench database (or reuses one
kept with --keep), loads it, times every path for a staff user through Django's full request stack
after a warm-up (bench/history.py's ``timed_gets``), with a bare view through the same client as the
ceiling, drops the database unless kept, prints the p50/p95 table and the ceiling line, and hands the
figures to the runner. Each script names only its paths, its load and its goal.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from bench.history import (
    bare_timings,
    database_connect,
    database_drop,
    database_setup,
    database_url,
    p95_report,
    percentile,
    table_sizes,
    timed_gets,
)
from bench.result import emit


def reads_arguments(parser: argparse.ArgumentParser, *, no_load: bool = True) -> None:
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    if no_load:
        parser.add_argument("--no-load", action="store_true", help="reuse a database kept with --keep")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the year of history to load, newest first (quick runs: 0.02)")


def _staff_client(*, token: bool) -> Any:
    """A test Client of a staff user: with an API token in its header, or logged in to the dashboard."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if token:
        from sync.api.tokens import token_create

        user = get_user_model().objects.create_user("bench", "bench@example.com", "pw", is_staff=True)
        return Client(HTTP_AUTHORIZATION=f"Token {token_create(user=user)[1]}")
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    client = Client()
    client.force_login(user)
    return client


def reads_measure(args: argparse.Namespace, *, default_db: str, load: Callable[[], float],
                  paths: Callable[[], dict[str, str]], title: str, label: str, width: int, goal_ms: float,
                  baseline_ms: float, token: bool = False, sizes: Callable[[], dict[str, int]] = table_sizes,
                  **figures: Any) -> bool:
    """Measure, report and emit; True when every path's p95 is within the goal. ``title`` is formatted with
    ``load_seconds``; ``figures`` are the run's own settings the runner keeps beside the timings."""
    # Pages link their CSS through the static storage: the plain one needs no collectstatic manifest.
    os.environ["TDS_MANIFEST_STATIC"] = "false"
    url = database_url(default=default_db)
    reuse = getattr(args, "no_load", False)
    load_seconds = 0.0
    if reuse:
        database_connect(url)
    else:
        database_setup(url)
    try:
        if not reuse:
            load_seconds = load()
        rows = sizes()
        client = _staff_client(token=token)
        timings = timed_gets(client, paths(), requests=args.requests)
        bare = bare_timings(client, requests=args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database_drop(url)
    ok = p95_report(title=title.format(load_seconds=load_seconds), sizes=rows, timings=timings, label=label,
                    width=width, goal_ms=goal_ms, baseline_ms=baseline_ms)
    bare_p95 = percentile(bare, 0.95)
    print(f"ceiling: a bare view through the same client, p95 {bare_p95:.1f} ms; worst ratio "
          f"{max(percentile(s, 0.95) for s in timings.values()) / bare_p95:.1f} x")
    emit(requests=args.requests, scale=args.scale, **figures, sizes=rows, load_seconds=load_seconds,
         p95_ms={name: percentile(s, 0.95) for name, s in timings.items()},
         p50_ms={name: percentile(s, 0.5) for name, s in timings.items()},
         ceiling={"p95_ms": bare_p95, "p50_ms": percentile(bare, 0.5), "requests": len(bare)})
    return ok
