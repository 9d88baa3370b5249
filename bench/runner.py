"""Run the registered benchmarks, each in a process of its own, and print one table of ratios.

Every benchmark gets its own PostgreSQL database (<DATABASE_URL>_<id>, dropped afterwards), the Redis
database of REDIS_URL, a file to emit its figures to and a folder for the sampler's profile. Its
output goes to bench/results/<stamp>/<id>.log, the table and every figure to bench/results/<stamp>.json
and latest.json (TDS_BENCH_RESULTS names another folder). A benchmark that fails to run gets a row
saying so and the run carries on.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.profile import profile_top
from bench.registry import BENCHMARKS, Benchmark, Verdict

ROOT = Path(__file__).resolve().parents[1]
# TDS_BENCH_RESULTS moves them (the test of the quick run writes under its temporary folder).
RESULTS = Path(os.environ.get("TDS_BENCH_RESULTS") or ROOT / "bench" / "results")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"


@dataclass
class Row:
    id: str
    measures: str
    figure: str
    ceiling: str
    ratio: float | None
    goal: str
    baseline: str
    verdict: str
    why: str
    seconds: float
    load_before: float
    load_after: float
    figures: dict[str, Any]


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _environment(benchmark: Benchmark, base_url: str, folder: Path) -> dict[str, str]:
    profile = folder / f"{benchmark.id}-profile"
    profile.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(filter(None, [str(ROOT / "bench" / "profiling"), str(ROOT),
                                         os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "DATABASE_URL": f"{base_url}_{benchmark.id.lower()}",
            "REDIS_URL": os.environ.get("REDIS_URL") or DEFAULT_REDIS,
            "TDS_BENCH_RESULT": str(folder / f"{benchmark.id}.json"), "TDS_BENCH_PROFILE": str(profile),
            "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def run_one(benchmark: Benchmark, *, quick: bool, base_url: str, folder: Path) -> Row:
    env = _environment(benchmark, base_url, folder)
    database = env["DATABASE_URL"]
    name = database.rsplit("/", 1)[1]
    _admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(database, f'CREATE DATABASE "{name}"')
    log = folder / f"{benchmark.id}.log"
    command = [sys.executable, str(ROOT / "bench" / benchmark.script), *(benchmark.quick if quick else benchmark.full)]
    load_before, started = os.getloadavg()[0], time.monotonic()
    print(f"{benchmark.id}: {' '.join(command[1:])}", flush=True)
    try:
        with log.open("w") as out:
            code = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=benchmark.timeout).returncode
        problem = "" if code in (0, 1) else f"exited with {code}"
    except subprocess.TimeoutExpired:
        problem = f"did not finish in {benchmark.timeout:.0f} s"
    finally:
        _admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    seconds, load_after = time.monotonic() - started, os.getloadavg()[0]
    result = Path(env["TDS_BENCH_RESULT"])
    figures: dict[str, Any] = json.loads(result.read_text()) if result.is_file() else {}
    if not figures:
        tail = [line for line in log.read_text(errors="replace").splitlines() if line.strip()][-1:] or ["no output"]
        verdict = Verdict("not measured", "", None, "", False)
        why = f"{problem or 'no figures emitted'}: {tail[0].strip()[:160]} (see {_shown(log)})"
        state = "ERROR"
    else:
        verdict = benchmark.judge(figures)
        state = "pass" if verdict.ok else "FAIL"
        why = "" if verdict.ok else _why(Path(env["TDS_BENCH_PROFILE"]))
    return Row(benchmark.id, benchmark.measures, verdict.figure, verdict.ceiling, verdict.ratio, verdict.goal,
               benchmark.baseline, state, why, round(seconds, 1), load_before, load_after, figures)


def _why(profile: Path) -> str:
    top = profile_top(profile, 1)
    return f"profile top: {top[0][0]} ({top[0][1]:.0%} of samples)" if top else "profile top: no samples in TDS code"


def machine() -> dict[str, Any]:
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    url = base if base.startswith(("postgres://", "postgresql://")) else DEFAULT_DB
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as conn:
            server = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        server = f"unreachable ({exc.__class__.__name__})"
    return {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "postgresql": server, "load_before": os.getloadavg()}


def table(rows: list[Row]) -> str:
    head = ("id", "measures", "figure", "ceiling (same run)", "ratio", "goal", "baseline", "verdict")
    cells = [[r.id, r.measures, r.figure, r.ceiling, "" if r.ratio is None else f"{r.ratio:.2f}", r.goal,
              r.baseline, r.verdict] for r in rows]
    limits = (4, 46, 84, 44, 6, 40, 26, 7)
    widths = [min(limit, max(len(h), *(len(c[i]) for c in cells))) for i, (h, limit) in enumerate(zip(head, limits,
                                                                                                    strict=True))]
    lines = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    for row, line in zip(rows, cells, strict=True):
        lines.append(" | ".join(c[:w].ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if row.why:
            lines.append(f"     {row.id} why: {row.why}")
    return "\n".join(lines)


def run(ids: list[str], *, quick: bool) -> tuple[list[Row], Path]:
    base = os.environ.get("DATABASE_URL", "")
    base_url = base if base.startswith(("postgres://", "postgresql://")) else DEFAULT_DB
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + ("-quick" if quick else "")
    folder = RESULTS / stamp
    folder.mkdir(parents=True, exist_ok=True)
    info = machine()
    rows = [run_one(BENCHMARKS[i], quick=quick, base_url=base_url, folder=folder) for i in ids]
    info["load_after"] = os.getloadavg()
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick, "machine": info,
              "rows": [asdict(r) for r in rows]}
    text = json.dumps(report, indent=1, default=str)
    (RESULTS / f"{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    print(f"\nTDS benchmarks{' (quick: small sizes, figures not comparable to the goals)' if quick else ''}, "
          f"{report['date']}")
    print(f"machine: {info['cores']} cores, {info['platform']}, Python {info['python']}, PostgreSQL "
          f"{info['postgresql']}; load average before {_load(info['load_before'])}, after {_load(info['load_after'])}")
    print(table(rows))
    print(f"\nfigures: {_shown(RESULTS / f'{stamp}.json')}; logs and profiles: {_shown(folder)}/")
    return rows, folder


def markdown(report: dict[str, Any]) -> str:
    """A saved run (latest.json) as the Markdown table docs/performance.md holds."""
    info = report["machine"]
    out = [f"{report['date']}{' (quick)' if report['quick'] else ''}: {info['cores']} cores, PostgreSQL "
           f"{info['postgresql']}, load average before {_load(info['load_before'])}, after "
           f"{_load(info['load_after'])}.", "",
           "| id | measures | figure | ceiling (same run) | ratio | goal | baseline | verdict |",
           "|---|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        verdict = row["verdict"] + (f": {row['why']}" if row["why"] else "")
        cells = [row["id"], row["measures"], row["figure"], row["ceiling"], ratio, row["goal"], row["baseline"],
                 verdict.replace(" > ", " → ")]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _load(values: Any) -> str:
    return " / ".join(f"{v:.1f}" for v in values)
