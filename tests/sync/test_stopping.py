"""SIGTERM/SIGINT stop every long-running command without leaving a lock or a "running" run.

The signal is real (os.kill of this process, or of a command started as a process), sent while
the command is inside its run; the handlers raise StopRequested in the main thread.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.utils.text import slugify

from odoo.engine import ODOO_SYNC
from sync import schedules
from sync.ledger import run_open
from sync.models import SyncRun
from sync.stopping import StopRequested

ROOT = Path(__file__).resolve().parents[2]


def lock_key(name: str) -> str:
    return f"tds:schedule-lock:{slugify(name)}"


def kill_self(signum: int = signal.SIGTERM) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(5)  # the handler raises before this ends
    raise AssertionError("the signal did not stop the command")


@pytest.fixture
def handlers_restored() -> Any:
    """Signal handlers can only be set in the main thread: elsewhere a signal would end the runner."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    assert {sig: signal.getsignal(sig) for sig in before} == before


@pytest.mark.django_db(transaction=True)  # pull_all replaces an unusable connection between entities
def test_tds_sync_settles_the_entity_it_was_pulling(zoho_settings, monkeypatch, handlers_restored):
    monkeypatch.setattr("sync.pull.run._run_pass", lambda *a, **k: kill_self())
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("tds_sync", "--entities", "items", stderr=err, stdout=io.StringIO())
    assert stopped.value.code == 143
    assert err.getvalue().strip().splitlines()[-1] == ("Zoho pull stopped by SIGTERM before it finished: locks "
                                                       "released, the run recorded as failed")
    run = SyncRun.objects.get(entity="items")
    assert (run.status, run.error_message) == ("failed", "StopRequested: stopped by SIGTERM before it finished")


@pytest.mark.django_db
def test_tds_scheduler_once_releases_its_lock_and_settles_the_compare(zoho_settings, monkeypatch,
                                                                       handlers_restored):
    def compare_run(**kwargs: Any) -> Any:
        assert caches["shared"].get(lock_key(schedules.COMPARE_SYNC)) is not None
        kill_self(signal.SIGINT)

    monkeypatch.setattr("sync.compare.execute.compare_run", compare_run)
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("tds_scheduler", "--once", stderr=err, stdout=io.StringIO())
    assert stopped.value.code == 130
    assert "compare+sync stopped by SIGINT before it finished" in err.getvalue()
    assert caches["shared"].get(lock_key(schedules.COMPARE_SYNC)) is None
    run = SyncRun.objects.get(run_type="compare_sync")
    assert (run.status, run.error_message) == ("failed", "StopRequested: stopped by SIGINT before it finished")


@pytest.mark.django_db
def test_a_guarded_task_the_worker_terminates_releases_its_lock_and_settles_its_run(handlers_restored):
    def job() -> None:
        run_open(run_type="odoo", entity="products", trigger="schedule")  # finished by nobody but the stop
        kill_self()

    with pytest.raises(StopRequested):
        schedules.run_guarded(ODOO_SYNC, job)
    assert caches["shared"].get(lock_key(ODOO_SYNC)) is None
    run = SyncRun.objects.get(run_type="odoo")
    assert (run.status, run.error_message) == ("failed", "StopRequested: stopped by SIGTERM before it finished")


@pytest.mark.django_db
def test_tds_worker_a_second_signal_stops_the_batch(monkeypatch, handlers_restored):
    def drain_batch(**kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)  # the first only asks the loop to end after this batch
        time.sleep(0.05)
        kill_self()

    monkeypatch.setattr("sync.management.commands.tds_worker.drain_batch", drain_batch)
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("tds_worker", stderr=err, stdout=io.StringIO())
    assert stopped.value.code == 143
    assert "stopped by SIGTERM before it finished" in err.getvalue()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tds_worker_process_finishes_its_batch_and_exits_cleanly_on_sigterm():
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
           "REDIS_URL": settings.REDIS_URL or ""}
    proc = subprocess.Popen([sys.executable, "manage.py", "tds_worker", "--idle-sleep", "0.2"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "started" in (proc.stdout.readline() if proc.stdout else "")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert " stopped: applied 0" in out
    assert not SyncRun.objects.filter(status="running").exists()


@pytest.mark.django_db(transaction=True)
def test_tds_odoo_sync_loop_ends_cleanly_on_a_signal_between_syncs(odoo_settings, monkeypatch, handlers_restored):
    import threading

    from odoo.management.commands.tds_odoo_sync import Command
    from odoo.services.status import status_read

    cycle = Command._cycle

    def one_cycle_then_signal(self: Command, **kwargs: Any) -> None:
        cycle(self, **kwargs)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()  # arrives during the wait

    monkeypatch.setattr(Command, "_cycle", one_cycle_then_signal)
    out = io.StringIO()
    started = time.monotonic()
    call_command("tds_odoo_sync", "--interval", "60", stdout=out, stderr=io.StringIO())
    assert time.monotonic() - started < 30
    assert out.getvalue().strip().splitlines()[-1] == "Odoo sync stopped."
    assert SyncRun.objects.get(run_type="odoo").status == "completed"
    assert caches["shared"].get(lock_key(ODOO_SYNC)) is None
    assert status_read().state != "running"


@pytest.mark.django_db
def test_a_queued_api_run_the_worker_is_made_to_stop_is_settled(odoo_settings, monkeypatch, handlers_restored):
    from odoo.tasks import api_odoo
    from sync.jobs import job_enqueue

    monkeypatch.setattr("sync.ledger.task_enqueue", lambda *a, **k: "")  # the task is run here, not queued
    job = job_enqueue(kind="odoo", entity="products", run_type="odoo", options={})
    monkeypatch.setattr("odoo.services.push.products_map", lambda **k: kill_self())
    with pytest.raises(StopRequested):
        api_odoo(run_id=job.run_id)
    run = SyncRun.objects.get(pk=job.run_id)
    assert (run.status, run.error_message) == ("failed", "StopRequested: stopped by SIGTERM before it finished")
    assert run.finished_at is not None


def _stopping_service(run_type: str) -> Any:
    def service(**kwargs: Any) -> Any:
        run_open(run_type=run_type, entity="items" if run_type == "stock" else "", trigger="cli")
        kill_self()

    return service


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("command", "args", "patch", "run_type", "lock"), [
    ("tds_sync_stock", [], "sync.management.commands.tds_sync_stock.stock_sync", "stock", None),
    ("tds_sync_images", [], "sync.management.commands.tds_sync_images.images_sync", "images", schedules.IMAGE_SYNC),
    ("tds_compare", ["--sync"], "sync.compare.execute.compare_run", "compare_sync", None),
])
def test_the_other_long_commands_settle_their_run_on_a_signal(zoho_settings, monkeypatch, handlers_restored,
                                                               command, args, patch, run_type, lock):
    monkeypatch.setattr(patch, _stopping_service(run_type) if run_type != "compare_sync" else
                        (lambda **kwargs: kill_self()))
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command(command, *args, stderr=err, stdout=io.StringIO())
    assert stopped.value.code == 143
    assert "stopped by SIGTERM before it finished: locks released" in err.getvalue()
    run = SyncRun.objects.get(run_type=run_type)
    assert (run.status, run.error_message) == ("failed", "StopRequested: stopped by SIGTERM before it finished")
    if lock:
        assert caches["shared"].get(lock_key(lock)) is None


def test_an_ignored_signal_stays_ignored(handlers_restored):
    from sync.stopping import stops_on_signals

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a django-q2 worker process
    try:
        with stops_on_signals() as stops:
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) == stops.handle
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
