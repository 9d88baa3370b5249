"""A sampling profiler for benchmark processes, cheap enough to leave on while the figure is measured.

Started by this directory's sitecustomize.py in every Python process of a benchmark (the script, its
gunicorn workers, its queue workers) when TDS_BENCH_PROFILE names a directory. Every 20 ms it looks at
each thread's stack and counts the deepest frame in the project's own code (not the virtualenv, bench/,
tests/ or the Zoho and Odoo stand-ins), with the function it was in below that (a database call, a JSON
encoder ...). Threads with no project frame on their stack (a load generator, an idle server loop) are
not counted, and neither is a thread blocked in C inside project code that used no CPU since the last
look (a pool thread waiting for a job, a loop sleeping): waits inside a library (a query, an HTTP call,
a future) are real time spent and stay counted. The counts go to
<dir>/<pid>.json every two seconds and at exit; bench/profile.py adds them up.
"""
from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType

PROJECT = str(Path(__file__).resolve().parents[2]) + os.sep
# The stand-ins for Zoho and Odoo run in processes of their own and are not TDS's work.
NOT_PROJECT = tuple(PROJECT + folder + os.sep for folder in (".venv", "venv", "bench", "tests", "zoho/sandbox",
                                                             "odoo/fake")) + (PROJECT + "manage.py",)
INTERVAL = 0.02
DUMP_EVERY = 2.0


def cpu_ticks(native_id: int) -> int:
    """User + system clock ticks a thread of this process has used (-1 when unknown)."""
    try:
        with open(f"/proc/self/task/{native_id}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return -1


def frame_key(frame: FrameType) -> str | None:
    """'sync/pull/run.py:120 pull_page > psycopg.cursor.execute' for the deepest project frame, or None."""
    current: FrameType | None = frame
    while current is not None:
        name = current.f_code.co_filename
        if name.startswith(PROJECT) and not name.startswith(NOT_PROJECT):
            break
        current = current.f_back
    if current is None or current.f_code.co_name == "<module>" or _importing(frame):
        return None
    where = f"{current.f_code.co_filename[len(PROJECT):]}:{current.f_lineno} {current.f_code.co_name}"
    if frame is current:
        return where
    module = frame.f_globals.get("__name__", "?")
    return f"{where} > {module}.{frame.f_code.co_name}"


def _importing(frame: FrameType | None) -> bool:
    """Whether the stack is importing a module (a class body run at import, say): start-up, not the work."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


class Sampler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pid = os.getpid()
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self.lock = threading.Lock()
        self.ticks: dict[int, int] = {}
        self.paused = folder / "paused"

    def start(self) -> None:
        threading.Thread(target=self._run, name="tds-bench-sampler", daemon=True).start()

    def _run(self) -> None:
        me = threading.get_ident()
        next_dump = time.monotonic() + DUMP_EVERY
        while True:
            time.sleep(INTERVAL)
            if self.paused.exists():  # the benchmark is preparing its load (bench.result.unprofiled)
                continue
            native = {thread.ident: thread.native_id for thread in threading.enumerate()}
            with self.lock:
                for ident, frame in sys._current_frames().items():
                    key = None if ident == me else frame_key(frame)
                    if key is None:
                        continue
                    busy = self._busy(native.get(ident))  # always, so the next look compares with this one
                    if busy or " > " in key:
                        self.counts[key] += 1
                        self.samples += 1
            if time.monotonic() >= next_dump:
                self.dump()
                next_dump = time.monotonic() + DUMP_EVERY

    def _busy(self, native_id: int | None) -> bool:
        """Whether the thread used CPU since the previous look (unknown threads count as busy)."""
        if native_id is None:
            return True
        ticks = cpu_ticks(native_id)
        before = self.ticks.get(native_id, -1)
        self.ticks[native_id] = ticks
        return ticks < 0 or ticks > before

    def dump(self) -> None:
        if os.getpid() != self.pid:
            return  # the parent's sampler, inherited by a forked child: the child's own writes its file
        with self.lock:
            data = {"pid": os.getpid(), "argv": sys.argv[:3], "samples": self.samples,
                    "top": dict(self.counts.most_common(40))}
        target = self.folder / f"{os.getpid()}.json"
        try:
            temp = target.with_suffix(".tmp")
            temp.write_text(json.dumps(data))
            temp.replace(target)
        except OSError:
            return  # the benchmark removed its profile folder: nothing left to report to


_sampler: Sampler | None = None


def start(folder: str) -> None:
    """Sample this process, and each child it forks (gunicorn's workers are forked from the master)."""
    global _sampler
    _sampler = Sampler(Path(folder))
    _sampler.start()
    atexit.register(_sampler.dump)


def _after_fork() -> None:
    if _sampler is not None:
        start(str(_sampler.folder))


os.register_at_fork(after_in_child=_after_fork)
