"""The benchmark runner (python -m bench): every registered benchmark runs and prints its row."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.registry import BENCHMARKS

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_an_unknown_benchmark_is_one_line_naming_the_known_ones() -> None:
    result = _bench("B99")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"unknown benchmark B99; known: {', '.join(BENCHMARKS)}"]
    assert "Traceback" not in result.stdout + result.stderr


def test_list_names_every_registered_benchmark() -> None:
    result = _bench("list")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(BENCHMARKS)


@pytest.mark.slow
@pytest.mark.postgres
def test_quick_run_prints_a_row_with_a_ceiling_for_every_benchmark(tmp_path: Path) -> None:
    """No goal is enforced (the machine is shared), but each benchmark must run, emit its figures and its
    ceiling, and be judged: a row with a verdict, never ERROR."""
    env = {**os.environ, "TDS_BENCH_RESULTS": str(tmp_path)}
    result = _bench("all", "--quick", env=env, timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {m[1]: m[0] for m in re.finditer(r"(?m)^(B\d+)\s+\|.*$", result.stdout)}
    assert list(rows) == list(BENCHMARKS), result.stdout
    for line in rows.values():
        assert line.rstrip().endswith(("pass", "FAIL")), line
    assert re.search(r"(?m)^machine: \d+ cores, .* load average before [\d.]+ / ", result.stdout)
    report = json.loads((tmp_path / "latest.json").read_text())
    assert [row["id"] for row in report["rows"]] == list(BENCHMARKS)
    for row in report["rows"]:
        assert row["figures"] and row["ceiling"], row["id"]
        assert row["verdict"] == "pass" or row["why"], row["id"]
    _soak_held_through_every_fault(next(row["figures"] for row in report["rows"] if row["id"] == "B9"))


def _soak_held_through_every_fault(soak: dict) -> None:
    """B9's quick soak: speed is not judged here, but what every fault must never cost is."""
    assert [f["kind"] for f in soak["faults"]] == ["worker", "web", "redis", "postgres", "zoho"], soak["faults"]
    assert soak["lost"] == 0 and soak["twice"] == 0, soak
    assert soak["undelivered"] == 0, soak  # every failed delivery was delivered on a retry
    assert soak["failed_outside_faults"] == {}, soak  # no failed answer outside the fault windows
    assert all(f["recovered_after"] is not None for f in soak["faults"]), soak["faults"]
    assert soak["compare_items_match_pct"] == 100, soak
    # The database's outage is told while it lasts (the scheduler's watch) and resolved once it is back.
    told = [subject.split(": ", 1)[1] for subject in soak["mail_subjects"] if "database_unreachable" in subject]
    assert [t.split(":")[0] for t in told] == ["[TDS critical] database_unreachable opened",
                                              "[TDS critical] database_unreachable resolved"], soak["mail_subjects"]


def test_show_without_a_run_is_one_line(tmp_path: Path) -> None:
    result = _bench("show", env={**os.environ, "TDS_BENCH_RESULTS": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip() == f"no run yet: {tmp_path / 'latest.json'} does not exist"


def test_b12_is_judged_on_its_slowest_bff_get_against_the_bare_view() -> None:
    def row(rate: float, p99: float, errors: int = 0) -> dict[str, float]:
        return {"rate": rate, "p50": 5.0, "p99": p99, "errors": errors, "requests": rate}

    figures = {"ceiling": row(1000, 40), "endpoints": {"/api/tds/status": row(100, 500),
                                                       "/api/bff/tds/status": row(800, 30),
                                                       "/api/bff/tds/runs": row(600, 60)}}
    verdict = BENCHMARKS["B12"].judge(figures)
    assert verdict.ratio == 0.6 and verdict.ok
    assert "(runs)" in verdict.figure and "worst p99 60.0 ms" in verdict.figure
    assert verdict.ceiling == "bare view 1,000 req/s, p99 40.0 ms"
    figures["endpoints"]["/api/bff/tds/status"] = row(800, 130)
    assert not BENCHMARKS["B12"].judge(figures).ok
    figures["endpoints"]["/api/bff/tds/status"] = row(800, 30, errors=1)
    assert not BENCHMARKS["B12"].judge(figures).ok
    figures["endpoints"]["/api/bff/tds/status"] = row(400, 30)
    assert not BENCHMARKS["B12"].judge(figures).ok
