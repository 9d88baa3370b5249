"""Heartbeats: each process that does the work writes its own row, so any process can tell which
are alive, on any broker.

A django-q2 cluster beats from the process that started it (``cluster_beat_until_stopped``, called
by ``manage.py qcluster``): its own row, and the rows of its worker processes while their pids are
alive; each worker process writes its row when it is spawned and notes the task it runs
(django-q2's ``post_spawn``, ``pre_execute`` and ``post_execute_in_worker`` signals). A
``tds_worker`` beats from its loop. A row beaten within ``STALE_AFTER`` is a live process; rows of
processes that stopped are kept a day for the workers panel, then deleted.

A beat that cannot be written (the database away for a moment) is logged and skipped: a heartbeat
never stops the work it reports.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from sync.alerts.outage import PROBE_SECONDS, DatabaseWatch
from sync.models import ProcessHeartbeat

logger = logging.getLogger("tds.workers")

HEARTBEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
# A process silent this long is taken for dead and its queue leases are handed back (identities_gone).
# A cluster's guard beats its workers' rows whatever task they run, and a tds_worker between batches;
# a live worker judged dead by mistake loses its lease and applies nothing, so the cost of a mistake is
# one batch done by another worker, never a change applied twice.
DEAD_AFTER = STALE_AFTER
KEEP_STOPPED = timedelta(days=1)
Kind = ProcessHeartbeat.Kind


class Heartbeat:
    """One process's row: ``start`` writes it, ``beat`` refreshes it (at most every HEARTBEAT_SECONDS
    unless what it is busy with changed), ``stop`` marks it stopped."""

    def __init__(self, *, kind: str, key: str | None = None, name: str = "", parent_pid: int | None = None,
                 details: dict[str, Any] | None = None, interval: float = HEARTBEAT_SECONDS) -> None:
        self.kind, self.name, self.parent_pid, self.details = kind, name, parent_pid, details or {}
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.key = key or f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"
        self.interval, self._last, self._current = interval, float("-inf"), ""
        self.failure: DatabaseError | None = None  # why the last write failed; None once one is written

    def start(self) -> None:
        heartbeats_prune()
        now = timezone.now()
        self._write(lambda: ProcessHeartbeat.objects.update_or_create(key=self.key, defaults={
            "kind": self.kind, "name": self.name[:100], "host": self.host[:255], "pid": self.pid,
            "parent_pid": self.parent_pid, "started_at": now, "beat_at": now, "stopped_at": None, "current": "",
            "current_since": None, "details": self.details}))
        self._last = time.monotonic()

    def beat(self, *, current: str | None = None, force: bool = False) -> None:
        changed = current is not None and current != self._current
        if not (force or changed or time.monotonic() - self._last >= self.interval):
            return
        now = timezone.now()
        fields: dict[str, Any] = {"beat_at": now, "stopped_at": None}
        if changed:
            self._current = current or ""
            fields.update(current=self._current[:255], current_since=now if self._current else None)
        self._write(lambda: ProcessHeartbeat.objects.filter(key=self.key).update(**fields))
        self._last = time.monotonic()

    def stop(self) -> None:
        self._write(lambda: ProcessHeartbeat.objects.filter(key=self.key).update(
            stopped_at=timezone.now(), current="", current_since=None))

    def _write(self, write: Any) -> None:
        try:
            write()
            self.failure = None
        except DatabaseError as exc:
            if connection.in_atomic_block:
                raise
            self.failure = exc
            logger.warning("heartbeat of %s %s not written (%s)", self.kind, self.key, type(exc).__name__)


# --- a django-q2 cluster ------------------------------------------------------------------------


def cluster_beat_until_stopped(cluster: Any, *, interval: float = HEARTBEAT_SECONDS,
                               on_beat: Any = None, watch: DatabaseWatch | None = None) -> None:
    """Beat for ``cluster`` (django_q.cluster.Cluster, started) and its workers until its guard exits;
    ``on_beat`` (no arguments) runs after each beat, its database errors logged and skipped. ``watch``
    hears of each beat that could or could not be written (the database-unreachable alert); while the
    database is away it is tried every few seconds rather than every beat interval."""
    from django.conf import settings
    from django_q.conf import Conf

    sentinel = cluster.sentinel
    beat = Heartbeat(kind=Kind.CLUSTER, key=f"{socket.gethostname()}:{os.getpid()}:{cluster.cluster_id.hex[:8]}",
                     name=cluster.name, interval=interval, details={
                         "guard_pid": sentinel.pid, "workers": Conf.WORKERS, "queue": Conf.CLUSTER_NAME,
                         "broker": "redis" if settings.Q_CLUSTER.get("redis") else "orm"})
    beat.start()
    try:
        while sentinel.is_alive():
            beat.beat(force=True)
            if watch is not None:
                _watch_hears(watch, beat.failure)
                if watch.down:
                    close_old_connections()
                    _sleep_while(sentinel.is_alive, min(interval, PROBE_SECONDS))
                    continue
            _cluster_workers_beat(beat.host, sentinel.pid)
            heartbeats_prune()
            if on_beat is not None:
                _write_or_log(on_beat)
            close_old_connections()
            _sleep_while(sentinel.is_alive, interval)
    finally:
        beat.stop()
        _cluster_workers_beat(beat.host, sentinel.pid)


def _watch_hears(watch: DatabaseWatch, failure: DatabaseError | None) -> None:
    try:
        watch.failed(failure) if failure is not None else watch.answered()
    except DatabaseError as exc:  # recording the outage met the database gone again: the next beat retries
        logger.warning("database outage not recorded (%s)", type(exc).__name__)


def _write_or_log(work: Any) -> None:
    try:
        work()
    except DatabaseError as exc:
        logger.warning("%s skipped (%s)", getattr(work, "__name__", "work"), type(exc).__name__)


def _sleep_while(alive: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive():
        time.sleep(min(0.5, seconds))


def _cluster_workers_beat(host: str, guard_pid: int) -> None:
    """The cluster's worker rows: beaten while their process lives, marked stopped once it is gone
    (a worker django-q2 replaced after a timeout, or all of them when the cluster stops)."""
    try:
        rows = ProcessHeartbeat.objects.filter(kind=Kind.CLUSTER_WORKER, host=host, parent_pid=guard_pid,
                                               stopped_at=None).values_list("id", "pid")
        alive: list[int] = []
        gone: list[int] = []
        for row_id, pid in rows:
            (alive if _pid_alive(pid) else gone).append(row_id)
        now = timezone.now()
        ProcessHeartbeat.objects.filter(id__in=alive).update(beat_at=now)
        ProcessHeartbeat.objects.filter(id__in=gone).update(stopped_at=now, current="", current_since=None)
    except DatabaseError as exc:
        logger.warning("cluster worker heartbeats not written (%s)", type(exc).__name__)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def identities_gone(identities: Iterable[str], *, now: Any = None) -> set[str]:
    """Of worker identities (``host:pid:token``, as sync.pipeline.queue.worker_identity makes them), those
    whose process is known to have stopped: it has heartbeat rows (matched on host and pid, since a
    process takes a new token for each drain) and every one of them is stopped or silent past
    ``DEAD_AFTER``. A process without a row is never judged (a drain run in a shell or a web process
    beats nowhere), and a pid still running on this host counts as alive whatever its row says."""
    now = now or timezone.now()
    wanted: dict[tuple[str, int], list[str]] = {}
    for identity in identities:
        host, _, rest = identity.partition(":")
        digits = rest.partition(":")[0]
        if host and digits.isdigit():
            wanted.setdefault((host[:255], int(digits)), []).append(identity)
    if not wanted:
        return set()
    match = Q()
    for key in wanted:
        match |= Q(host=key[0], pid=key[1])
    seen: set[tuple[str, int]] = set()
    alive: set[tuple[str, int]] = set()
    for row_host, row_pid, beat_at, stopped_at in ProcessHeartbeat.objects.filter(match).values_list(
            "host", "pid", "beat_at", "stopped_at"):
        seen.add((row_host, row_pid))
        if stopped_at is None and beat_at >= now - DEAD_AFTER:
            alive.add((row_host, row_pid))
    here = socket.gethostname()[:255]
    gone = {key for key in seen - alive if not (key[0] == here and _pid_alive(key[1]))}
    return {identity for key in gone for identity in wanted[key]}


def heartbeats_prune(*, now: Any = None) -> int:
    """Delete rows of processes that stopped (or fell silent) more than KEEP_STOPPED ago."""
    cutoff = (now or timezone.now()) - KEEP_STOPPED
    try:
        deleted, _ = ProcessHeartbeat.objects.filter(Q(stopped_at__lt=cutoff) | Q(beat_at__lt=cutoff)).delete()
    except DatabaseError:
        return 0
    return deleted


# --- a cluster's worker processes (django-q2 signals, connected in SyncConfig.ready) ------------

_worker: list[Heartbeat] = []  # this process's heartbeat, once django-q2 spawned it as a worker


def on_worker_spawn(sender: Any, proc_name: str = "", **kwargs: Any) -> None:
    """A cluster worker process started. Not in the main process: django-q2's sync mode runs the
    worker loop in the caller's process, which is no cluster worker."""
    if multiprocessing.parent_process() is None:
        return
    beat = Heartbeat(kind=Kind.CLUSTER_WORKER, name=proc_name, parent_pid=os.getppid())
    beat.start()
    _worker[:] = [beat]
    close_old_connections()


def on_task_start(sender: Any, func: Any = None, task: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if _worker:
        task = task or {}
        _worker[0].beat(current=str(task.get("name") or task.get("func") or func or "a task"))


def on_task_end(sender: Any, func: Any = None, task: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if _worker:
        _worker[0].beat(current="")
