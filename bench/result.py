"""How a benchmark script hands its figures to the runner (bench/runner.py).

The runner names a file in TDS_BENCH_RESULT; ``emit`` writes the script's figures there as JSON. Run
by hand, without the variable, a script only prints its own table.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def emit(**figures: Any) -> None:
    target = os.environ.get("TDS_BENCH_RESULT")
    if target:
        Path(target).write_text(json.dumps(figures, default=str))
