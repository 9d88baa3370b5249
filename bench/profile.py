"""What the benchmark's processes spent their time on: the sampler's counts (bench/profiling/) added up."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def profile_top(folder: Path, count: int = 5) -> list[tuple[str, float]]:
    """The ``count`` entries with the most samples over every process, each with its share of all samples."""
    totals: Counter[str] = Counter()
    samples = 0
    for dump in folder.glob("*.json"):
        try:
            data = json.loads(dump.read_text())
        except (OSError, ValueError):
            continue  # a process killed while writing leaves a partial file: its counts are lost, no more
        totals.update(data["top"])
        samples += data["samples"]
    return [(key, n / samples) for key, n in totals.most_common(count)] if samples else []
