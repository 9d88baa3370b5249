"""python -m bench all [--quick] | python -m bench B1 B3 ... | python -m bench list | python -m bench show

Runs the benchmarks registered in bench/registry.py on PostgreSQL (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/tds_bench: each benchmark gets <that>_<id>) and prints one table:
the figure, the ceiling measured in the same run, their ratio, the goal on the ratio and the verdict.
Exit status 0 when every benchmark ran (and, without --quick, met its goal). `show` prints the last
run (bench/results/latest.json) as a Markdown table, the form docs/performance.md keeps.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.registry import BENCHMARKS
from bench.runner import RESULTS, markdown, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="+", metavar="all|list|show|ID",
                        help="all, list, show (the last run as Markdown), or benchmark ids (B1 B3 ...)")
    parser.add_argument("--quick", action="store_true", help="small sizes: every benchmark runs, in minutes")
    args = parser.parse_args(argv)
    if args.which == ["list"]:
        for benchmark in BENCHMARKS.values():
            print(f"{benchmark.id:<5}{benchmark.measures}")
        return 0
    if args.which == ["show"]:
        latest = RESULTS / "latest.json"
        if not latest.is_file():
            print(f"no run yet: {latest} does not exist", file=sys.stderr)
            return 2
        print(markdown(json.loads(latest.read_text())))
        return 0
    ids = list(BENCHMARKS) if args.which == ["all"] else [i.upper() for i in args.which]
    unknown = [i for i in ids if i not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    rows, _ = run(ids, quick=args.quick)
    if any(r.verdict == "ERROR" for r in rows):
        return 1
    return 0 if args.quick or all(r.verdict == "pass" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
