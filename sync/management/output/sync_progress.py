"""Shared output for the sync commands: a progress line on a terminal, plain log lines otherwise,
and the per-entity summary table."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

COLUMNS = ("entity", "status", "created", "updated", "unchanged", "skipped", "failed", "deleted", "api calls",
           "seconds")


class Progress:
    """Records seen per entity: one rewritten line on a TTY, a log line per entity otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.counts: dict[str, int] = {}
        self._last = 0.0

    def __call__(self, entity: str, n: int) -> None:
        self.counts[entity] = self.counts.get(entity, 0) + n
        now = time.monotonic()
        if self.tty and now - self._last > 0.1:
            self._last = now
            self.stream.write(f"\r  {entity}: {self.counts[entity]:,} records …   ")
            self.stream.flush()

    def done(self, result: Any) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 60 + "\r")
        line = (f"{result.entity}: {result.status} created={result.created} updated={result.updated} "
                f"unchanged={result.unchanged} skipped={result.skipped} failed={result.failed} "
                f"deleted={result.deleted} api_calls={result.api_calls} {result.duration_seconds:.2f}s")
        if result.error:
            line += f" error={result.error}"
        self.stream.write(line + "\n")
        self.stream.flush()


def summary_table(results: list[Any]) -> list[str]:
    rows = [COLUMNS] + [
        (r.entity, r.status, str(r.created), str(r.updated), str(r.unchanged), str(r.skipped), str(r.failed),
         str(r.deleted), str(r.api_calls), f"{r.duration_seconds:.2f}") for r in results]
    totals = ("TOTAL", "", *(str(sum(int(row[i]) for row in rows[1:])) for i in range(2, 9)),
              f"{sum(r.duration_seconds for r in results):.2f}")
    rows.append(totals)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    rule = "-" * len(fmt(rows[0]))
    return [fmt(rows[0]), rule, *(fmt(r) for r in rows[1:-1]), rule, fmt(rows[-1])]
