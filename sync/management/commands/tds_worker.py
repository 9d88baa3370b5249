"""manage.py tds_worker: a queue worker outside the django-q2 cluster.

Runs the same drain as the ``drain_queue`` task in a loop: promote inbox events,
claim a batch (SKIP LOCKED + lease), apply, settle; every --reap-every seconds it
also returns expired leases. SIGTERM/SIGINT finish the current batch, record the run and exit 0;
a second signal stops the batch at once (its leases come back through the reaper), records the
run as failed with the reason and exits 143/130. It writes its heartbeat (sync.heartbeats) with
the run it is busy with, and takes nothing while the queue is paused.
Start as many as you like, on as many machines as you like.
"""
from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connection
from django.utils.module_loading import import_string

from sync.heartbeats import Heartbeat
from sync.ledger import RunTracker
from sync.models import ProcessHeartbeat
from sync.pause import QUEUE, is_paused
from sync.pipeline.queue import queue_release, worker_identity
from sync.pipeline.workers import DrainResult, drain_batch, queue_run, queue_run_finish, reap_leases
from sync.stopping import Stops, command_stops


class Command(BaseCommand):
    help = "Process the TDS sync queue: promote inbox events, claim batches with a lease, apply them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="drain until nothing is due, then exit")
        parser.add_argument("--batch-size", type=int, default=settings.TDS_BATCH_SIZE,
                            help="items per claim (default TDS_BATCH_SIZE)")
        parser.add_argument("--lease-seconds", type=int, default=None, help="lease length (default TDS_LEASE_SECONDS)")
        parser.add_argument("--idle-sleep", type=float, default=0.5, help="seconds to wait when nothing is due")
        parser.add_argument("--exit-when-idle", type=float, default=None, metavar="SECONDS",
                            help="exit after this long with nothing to do")
        parser.add_argument("--reap-every", type=float, default=30.0, help="seconds between lease reaps")
        parser.add_argument("--apply", default="sync.pipeline.workers.apply_items",
                            help="dotted path of the apply function (default: the sync engine's upsert)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["batch_size"] <= 5000:
            raise CommandError("--batch-size must be between 1 and 5000")
        if options["lease_seconds"] is not None and options["lease_seconds"] < 1:
            raise CommandError("--lease-seconds must be at least 1")
        try:
            apply = import_string(options["apply"])
        except ImportError as exc:
            raise CommandError(f"--apply: cannot import {options['apply']!r}") from exc
        worker = worker_identity()
        started = time.monotonic()
        with command_stops(self.stderr.write, what=f"worker {worker}") as stops, stops.graceful():
            self.stdout.write(f"worker {worker} started (batch {options['batch_size']})")
            self.stdout.flush()
            self.heartbeat = Heartbeat(kind=ProcessHeartbeat.Kind.WORKER, key=worker[:200], name="tds_worker",
                                       details={"batch_size": options["batch_size"]})
            try:
                self.heartbeat.start()
                total = self._loop(worker, apply, options, stops)
            finally:
                try:
                    self.heartbeat.stop()
                except DatabaseError:  # inside a caller's broken transaction: the row goes stale instead
                    pass
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"worker {worker} stopped: applied {total.applied}, superseded {total.superseded}, "
            f"retried {total.retried}, dead {total.dead}, lease lost {total.lost}, "
            f"batches {total.batches} in {elapsed:.1f}s")

    def _loop(self, worker: str, apply: Any, options: dict[str, Any], stops: Stops) -> DrainResult:
        total = DrainResult()
        self._idle_since, self._last_reap = time.monotonic(), 0.0
        while not stops.requested:
            # A busy stretch (until the queue is idle or paused) is one "queue" run. The ledger settles
            # it however the stretch ends, as it does every service's run: a second signal or a bug
            # records it failed with the reason before the exception goes on.
            try:
                with queue_run(worker=worker, batch_size=options["batch_size"], trigger="cli") as run:
                    stretch, idle = self._stretch(worker, apply, options, stops, run, total)
                    queue_run_finish(run, stretch)
            except DatabaseError as exc:  # the row stays "running"; the work itself is settled or comes back
                self.stderr.write(f"worker {worker}: run not recorded ({type(exc).__name__})")
                idle = True
            if not idle:
                break  # a stop was asked for
            if options["once"] or self._idle_too_long(self._idle_since, options["exit_when_idle"]):
                break
            stops.event.wait(options["idle_sleep"])
        return total

    def _stretch(self, worker: str, apply: Any, options: dict[str, Any], stops: Stops, run: RunTracker,
                 total: DrainResult) -> tuple[DrainResult, bool]:
        """Batches until the queue is idle or paused (True) or a stop is asked for (False)."""
        stretch, stranded = DrainResult(), False
        while not stops.requested:
            try:
                # As Django does at each request: drop a connection past CONN_MAX_AGE or broken, and have
                # the next query check the kept one first (CONN_HEALTH_CHECKS), so a database restart
                # while the worker waited costs a reconnect, not a failed round. Never inside a caller's
                # transaction (the command run in process), whose connection is not ours to drop.
                if not connection.in_atomic_block:
                    close_old_connections()
                paused = is_paused(QUEUE)
                self.heartbeat.beat(current="paused" if paused else
                                    f"queue run {run.result.run_id}" if run.result.run_id else "")
                if paused:
                    return stretch, True
                if stranded:  # the batch the database error cut short: its items back to the queue
                    queue_release(worker=worker)
                    stranded = False
                if time.monotonic() - self._last_reap >= options["reap_every"]:
                    reap_leases()
                    self._last_reap = time.monotonic()
                result = drain_batch(worker=worker, batch_size=options["batch_size"], apply=apply,
                                     lease_seconds=options["lease_seconds"], on_work=run.begin)
            except DatabaseError as exc:
                # The database went away: what was leased comes back through the reaper; wait and reconnect.
                self.stderr.write(f"worker {worker}: database error ({type(exc).__name__}); retrying in 2s")
                stranded = True
                connection.close()
                time.sleep(2)
                continue
            total.add(result)
            stretch.add(result)
            if not (result.claimed or result.promoted):
                return stretch, True
            self._idle_since = time.monotonic()
        return stretch, False

    @staticmethod
    def _idle_too_long(idle_since: float, limit: float | None) -> bool:
        return limit is not None and time.monotonic() - idle_since >= limit
