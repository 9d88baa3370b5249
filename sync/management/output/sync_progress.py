"""Shared output for the pull commands: progress per entity and the per-entity summary table."""
from __future__ import annotations

import sys
from typing import Any, TextIO

from sync.management.output.progress import ProgressBar

COLUMNS = ("entity", "status", "created", "updated", "unchanged", "skipped", "failed", "deleted", "api calls",
           "seconds")


class Progress:
    """Records seen per entity of a pull, one ProgressBar per entity. The result of each entity is
    reported once, by the engine's log line; ``done`` only ends the entity's bar."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bars: dict[str, ProgressBar] = {}

    def __call__(self, entity: str, n: int) -> None:
        bar = self.bars.get(entity)
        if bar is None:
            bar = self.bars[entity] = ProgressBar(entity, stream=self.stream)
        bar.update(n)

    def done(self, result: Any) -> None:
        bar = self.bars.pop(result.entity, None)
        if bar is not None:
            bar.close()


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
