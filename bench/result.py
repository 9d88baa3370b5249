"""How a benchmark script hands its figures to the runner (bench/runner.py).

The runner names a file in TDS_BENCH_RESULT; ``emit`` writes the script's figures there as JSON. Run
by hand, without the variable, a script only prints its own table.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def emit(**figures: Any) -> None:
    target = os.environ.get("TDS_BENCH_RESULT")
    if target:
        Path(target).write_text(json.dumps(figures, default=str))


@contextmanager
def unprofiled() -> Iterator[None]:
    """Preparation that is not the work measured (building a load, a ceiling's run): the sampler in every
    process of the benchmark skips it, so the "why" line names the measured work only."""
    folder = os.environ.get("TDS_BENCH_PROFILE")
    marker = Path(folder) / "paused" if folder else None
    if marker is not None:
        marker.touch()
    try:
        yield
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)
