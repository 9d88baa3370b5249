"""Every benchmark the runner knows, one entry each: its script, its sizes and how its figure is judged.

A benchmark is a script in bench/ that prints its own table when run by hand and hands its figures to
the runner with bench.result.emit(), including the ceiling it measured next to them. Adding one is
adding its entry here with ``register``: the script, the arguments of a full and of a quick run, and a
``judge`` turning the emitted figures into the table's figure, ceiling, ratio, goal and verdict.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Figures = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    figure: str
    ceiling: str
    ratio: float | None
    goal: str
    ok: bool


@dataclass(frozen=True)
class Benchmark:
    id: str
    measures: str
    script: str
    full: tuple[str, ...]
    quick: tuple[str, ...]
    judge: Callable[[Figures], Verdict]
    baseline: str = ""
    timeout: float = 3600


BENCHMARKS: dict[str, Benchmark] = {}


def register(benchmark: Benchmark) -> Benchmark:
    if benchmark.id in BENCHMARKS:
        raise ValueError(f"{benchmark.id} is registered twice")
    BENCHMARKS[benchmark.id] = benchmark
    return benchmark


def _b1(f: Figures) -> Verdict:
    rate, ceiling = f["rows_per_second_first"], f["ceiling"]["rows_per_second"]
    speedup = f["items_per_second_again"] / f["items_per_second_first"]
    ratio = rate / ceiling
    return Verdict(f"first load {rate:,.0f} rows/s ({f['items_per_second_first']:,.0f} items/s); re-run "
                   f"{speedup:.1f} x first, {f['written_again']} rows written",
                   f"COPY + upsert {ceiling:,.0f} rows/s", ratio,
                   ">= 0.5; re-run >= 2 x first, 0 rows", ratio >= 0.5 and speedup >= 2 and f["written_again"] == 0)


def _b2(f: Figures) -> Verdict:
    ratio = f["wall_seconds"] / f["floor_seconds"]
    return Verdict(f"{f['calls']} calls in {f['wall_seconds']:.1f} s, {f['rejected']} x 429",
                   f"100 calls/min floor {f['floor_seconds']:.1f} s", ratio, "<= 1.05 x floor; 0 x 429",
                   ratio <= 1.05 and f["rejected"] == 0 and f["status"] == "completed")


def _b3(f: Figures) -> Verdict:
    bare = f["ceiling"]
    ratio = f["rate"] / bare["rate"]
    p99_ratio = f["p99_ms"] / bare["p99_ms"]
    return Verdict(f"{f['rate']:,.0f} req/s, p99 {f['p99_ms']:.1f} ms ({p99_ratio:.1f} x); "
                   f"{f['inbox_rows']:,} rows for {f['ok']:,} 2xx",
                   f"bare view {bare['rate']:,.0f} req/s, p99 {bare['p99_ms']:.1f} ms", ratio,
                   ">= 0.9; p99 <= 2 x bare",
                   ratio >= 0.9 and p99_ratio <= 2 and f["inbox_rows"] == f["ok"] and f["errors"] == 0)


def _b4(f: Figures) -> Verdict:
    ceiling = f["ceiling"]["items_per_second"]
    ratio = f["events_per_second"] / ceiling
    return Verdict(f"{f['events_per_second']:,.0f} events/s, {f['applied_twice']} twice",
                   f"SKIP LOCKED drain {ceiling:,.0f}/s", ratio, ">= 0.7; 0 twice",
                   ratio >= 0.7 and f["applied_twice"] == 0 and f["records_created_twice"] == 0
                   and f["not_completed"] == 0)


def _b5(f: Figures) -> Verdict:
    ratio = f["api_calls"] / f["list_pages"]
    return Verdict(f"{f['api_calls']} Zoho calls; local work {f['local_seconds']:.2f} s",
                   f"{f['list_pages']} list pages", ratio, "calls = list pages (1.00)",
                   f["api_calls"] == f["list_pages"] == f["list_calls"])


def _b6(f: Figures) -> Verdict:
    ceiling = f["ceiling"]["images_per_second"]
    ratio = f["images_per_second"] / ceiling
    return Verdict(f"{f['images_per_second']:,.0f} images/s; re-run {f['again_downloaded']} downloads",
                   f"Pillow alone {ceiling:,.0f} images/s", ratio, ">= 0.7; re-run 0 downloads",
                   ratio >= 0.7 and f["again_downloaded"] == 0 and f["again_calls"] == 0 and f["failed"] == 0)


def _b7(f: Figures) -> Verdict:
    ceiling = f["ceiling"]["rows_per_second"]
    return Verdict(f"peak RSS {f['peak_rss_mb']:.0f} MB at {f['items']:,} items ({f['rows_per_second']:,.0f} rows/s)",
                   f"COPY + upsert {ceiling:,.0f} rows/s", f["rows_per_second"] / ceiling,
                   "RSS <= 250 MB at 100,000 items", f["peak_rss_mb"] <= 250 and f["status"] == "completed")


def _b8(f: Figures) -> Verdict:
    ceiling = f["ceiling"]["products_per_second"]
    ratio = f["products_per_second"] / ceiling
    return Verdict(f"{f['products_per_second']:,.0f} products/s; re-run {f['again_write_calls']} writes; "
                   f"10 edits -> {f['edit_write_calls']} writes",
                   f"{f['first_calls']} empty calls = {ceiling:,.0f} products/s", ratio, ">= 0.5; re-run 0 writes",
                   ratio >= 0.5 and f["again_write_calls"] == 0 and f["edit_write_calls"] == 10
                   and f["created"] == f["items"])


def _reads(f: Figures) -> Verdict:
    worst = max(f["p95_ms"], key=f["p95_ms"].get)
    bare = f["ceiling"]["p95_ms"]
    ratio = f["p95_ms"][worst] / bare
    return Verdict(f"worst p95 {f['p95_ms'][worst]:.1f} ms ({worst}) of {len(f['p95_ms'])}",
                   f"bare view p95 {bare:.1f} ms", ratio, "p95 <= 3 x bare, each", ratio <= 3)


def _b12(f: Figures) -> Verdict:
    bare = f["ceiling"]
    bff = {path: row for path, row in f["endpoints"].items() if path.startswith("/api/bff/")}
    worst = min(bff, key=lambda path: bff[path]["rate"])
    ratio = bff[worst]["rate"] / bare["rate"]
    p99 = max(row["p99"] for row in bff.values())
    return Verdict(f"slowest {bff[worst]['rate']:,.0f} req/s ({worst.removeprefix('/api/bff/tds/')}) of {len(bff)} "
                   f"BFF GETs; worst p99 {p99:.1f} ms",
                   f"bare view {bare['rate']:,.0f} req/s, p99 {bare['p99']:.1f} ms", ratio,
                   ">= 0.5 each; p99 <= 100 ms",
                   ratio >= 0.5 and p99 <= 100 and not any(row["errors"] for row in f["endpoints"].values()))


def _b9(f: Figures) -> Verdict:
    fresh = f["freshness"]["outside"]
    return Verdict(f"freshness p50 {fresh['p50']:.2f} s, p99 {fresh['p99']:.2f} s at {f['rate']:g}/s; "
                   f"{f['lost']} lost, {f['twice']} twice",
                   f"webhook POST p99 {f['delivery_p99']:.2f} s", fresh["p99"] / max(f["delivery_p99"], 1e-3),
                   "p99 <= 2 s outside faults; 0 lost, 0 twice",
                   fresh["p99"] <= 2 and f["lost"] == 0 and f["twice"] == 0)


# Quick sizes keep the whole quick run (CI) within a few minutes on 2 cores: each benchmark runs its whole path,
# small. B9's quick soak is two minutes with one fault of each kind (the Zoho burst cut to 10 s), so CI sees
# every recovery path; a killed worker cluster's batch comes back once its heartbeat falls silent.
for _entry in (
    Benchmark("B1", "full pull of items with stock; re-run",
              "b1_full_pull.py", (), ("--items", "1000"), _b1, "25-50 items/s"),
    Benchmark("B2", "the pull under Zoho's 100 calls/minute", "b2_rate_limited.py",
              (), ("--items", "400"), _b2, ""),
    Benchmark("B3", "webhook ingest, 16 connections", "b3_webhooks.py",
              (), ("--requests", "1500", "--ceiling-requests", "1500"), _b3, "45 ms per webhook"),
    Benchmark("B4", "queue drain, 2 workers, full upsert", "b4_queue_drain.py",
              (), ("--events", "2000"), _b4, "85 items/min"),
    Benchmark("B5", "tds_compare --deep of the items", "b5_compare.py", (), ("--items", "1000"), _b5,
              "quick comparison 20-30 s"),
    Benchmark("B6", "images with thumbnails; re-run", "b6_images.py", (), ("--images", "100"), _b6,
              "50 images in ~5 min"),
    Benchmark("B7", "memory of a 100,000-item pull", "b7_memory.py", (), ("--items", "2000"), _b7, ""),
    Benchmark("B8", "Odoo push; re-run; 10 edits", "b8_odoo.py", (),
              ("--items", "300"), _b8, "2,000 products in 30-60 s"),
    Benchmark("B9", "freshness on the deployed stack (soak)", "soak.py",
              ("--minutes", "2", "--rate", "20", "--faults", "worker"),
              ("--minutes", "2", "--rate", "5", "--faults", "worker,web,redis,postgres,zoho", "--zoho-burst", "10"),
              _b9, ""),
    Benchmark("B10", "API reads, a year of history", "b10_api_reads.py", (),
              ("--requests", "20", "--scale", "0.02"), _reads, "API response 120 ms"),
    Benchmark("B11", "/tds-admin pages, a year of history", "b11_dashboard_pages.py", (),
              ("--requests", "10", "--scale", "0.02"), _reads, "API response 120 ms"),
    Benchmark("B12", "API reads, 16 keep-alive callers on gunicorn", "b12_api_polling.py", (),
              ("--seconds", "1", "--paths", "/api/tds/status,/api/bff/tds/status,/api/bff/tds/dashboard,"
               "/api/bff/tds/runs"), _b12, "API response 120 ms"),
    Benchmark("B13", "record search and trace, a year of history", "b13_record_trace.py", (),
              ("--requests", "10", "--scale", "0.02", "--mirror-scale", "0.02"), _reads, "API response 120 ms"),
):
    register(_entry)
