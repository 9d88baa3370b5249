"""The benchmark sampler: each process writes its own counts, and a forked child's file is its own."""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "profiling"))

import tds_bench_sampler  # noqa: E402


def test_a_sampler_inherited_through_fork_never_writes_over_the_childs_counts(tmp_path, monkeypatch):
    parents = tds_bench_sampler.Sampler(tmp_path)
    child_pid = os.getpid() + 1
    monkeypatch.setattr(os, "getpid", lambda: child_pid)  # what the parent's sampler sees in a forked child
    childs = tds_bench_sampler.Sampler(tmp_path)
    childs.counts["sync/api/fresh.py:37 fresh"], childs.samples = 3, 3
    childs.dump()
    parents.dump()  # its atexit hook runs in the child too, at exit
    assert json.loads((tmp_path / f"{child_pid}.json").read_text())["samples"] == 3


class _SourceLoader(importlib.abc.SourceLoader):
    """A module of TDS's own code (by its file name) imported from a string, so nothing is written."""

    def __init__(self, path: str, source: str) -> None:
        self.path, self.source = path, source

    def get_filename(self, fullname: str) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        return self.source.encode()


def test_code_run_while_a_module_is_imported_is_not_counted():
    path = str(ROOT / "sync" / "sampled_model.py")
    source = "import sys\n\n\nclass Model:\n    seen.append(probe(sys._getframe()))\n"
    seen: list[str | None] = []
    names = {"seen": seen, "probe": tds_bench_sampler.frame_key}
    exec(compile(source, path, "exec"), dict(names))  # run as code of a request would be: counted
    loader = _SourceLoader(path, source)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("sampled_model", loader))
    module.__dict__.update(names)
    loader.exec_module(module)  # the same class body run by an import: not counted
    assert seen[0] == "sync/sampled_model.py:5 Model" and seen[1] is None
