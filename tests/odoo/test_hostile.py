"""A hostile Odoo cannot hold the push, fill its memory or crash it with text from Python.

A proxy in front of the fake Odoo drips an answer one byte at a time, sends 200 MB, or answers
values of the wrong shape; `tds_odoo_sync --once` runs as a real process where time and memory
are what is measured.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils.text import slugify

from odoo.client import OdooClient
from odoo.config import OdooSettings
from odoo.engine import ODOO_SYNC
from odoo.errors import OdooMissingError, OdooTimeoutError
from odoo.fake import FakeOdooServer
from odoo.fake.pytest_plugin import point_settings
from sync.models import SyncRun
from tests.odoo.hostile import MB, Drip, HostileOdoo, Huge, Value, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
LOCK_KEY = f"tds:schedule-lock:{slugify(ODOO_SYNC)}"


@pytest.fixture
def hostile(request: pytest.FixtureRequest, odoo_fake_factory: Any) -> Any:
    started: list[HostileOdoo] = []

    def build(version: int = 19, **rules: Any) -> HostileOdoo:
        fake: FakeOdooServer = odoo_fake_factory(version=version)
        proxy = HostileOdoo(upstream=fake.url, rules=rules).start()
        proxy.fake = fake  # type: ignore[attr-defined]
        started.append(proxy)
        return proxy

    yield build
    for proxy in started:
        proxy.stop()


def odoo_env(proxy: HostileOdoo, **extra: str) -> dict[str, str]:
    """The environment of a `manage.py` process on the test database, aimed at the proxy."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    fake = proxy.fake  # type: ignore[attr-defined]
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings",
            "REDIS_URL": settings.REDIS_URL or "", "ODOO_URL": proxy.url, "ODOO_DB": fake.config.db,
            "ODOO_USERNAME": fake.config.login, "ODOO_API_KEY": fake.config.api_key, **extra}


def _peak_rss(pid: int, done: threading.Event, peak: list[float]) -> None:
    """The process's own high-water mark (VmHWM, MB), read until it exits. Not ru_maxrss: a child
    spawned from this (large) test process carries the parent's high-water mark across exec."""
    while not done.is_set():
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            return
        done.wait(0.02)


def run_sync(env: dict[str, str], timeout: float = 60) -> tuple[int, str, str, float, float]:
    """tds_odoo_sync --once as a process: exit code, stdout, stderr, seconds, peak RSS in MB."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "manage.py", "tds_odoo_sync", "--once"], cwd=ROOT, env=env,
                                stdout=out, stderr=err, text=True)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        done, peak = threading.Event(), [0.0]
        watcher = threading.Thread(target=_peak_rss, args=(proc.pid, done, peak), daemon=True)
        watcher.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
            done.set()
            watcher.join()
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), time.monotonic() - started, peak[0]


def command_error(err: str) -> str:
    """The one line the command ends with (log lines of the failed run may come before it)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("CommandError: ")]
    assert len(lines) == 1, err
    return lines[0].removeprefix("CommandError: ")


@pytest.mark.postgres
@pytest.mark.slow
def test_a_server_dripping_its_answer_is_cut_at_the_runs_deadline(hostile):
    proxy = hostile(version=19, **{"GET /web/version": Drip(every=1.0)})
    code, out, err, seconds, _ = run_sync(odoo_env(proxy, ODOO_TIMEOUT_SECONDS="2", ODOO_RUN_TIMEOUT_SECONDS="5"))
    assert code == 1, (out, err)
    assert seconds < 20, f"the run went on for {seconds:.0f} s"
    assert command_error(err).startswith("Odoo sync failed: the Odoo run passed ODOO_RUN_TIMEOUT_SECONDS (5 s)")
    run = SyncRun.objects.get(run_type="odoo")
    assert run.status == "failed" and "ODOO_RUN_TIMEOUT_SECONDS" in run.error_message
    assert caches["shared"].get(LOCK_KEY) is None


@pytest.mark.parametrize("body", [False, True], ids=["headers-drip", "body-drips"])
def test_one_call_is_cut_at_its_own_deadline_however_slowly_the_bytes_come(hostile, body):
    proxy = hostile(version=19, **{"GET /web/version": Drip(every=0.3, body=body)})
    config = OdooSettings(url=proxy.url, db="tsh", username="admin", api_key="k", timeout=1.0, retry_attempts=1)
    started = time.monotonic()
    with pytest.raises(OdooTimeoutError, match=r"Odoo did not answer GET /web/version within 1 s"):
        OdooClient(config).connect()
    assert time.monotonic() - started < 3


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "content-length"])
def test_a_200_mb_answer_is_refused_while_it_is_read(hostile, declared):
    proxy = hostile(version=19, **{"uom.uom.search_read": Huge(size=200 * MB, declared=declared)})
    code, out, err, seconds, rss = run_sync(odoo_env(proxy))
    assert code == 1, (out, err)
    line = command_error(err)
    assert line.startswith("Odoo sync failed: Odoo's answer to POST /json/2/uom.uom/search_read"), line
    assert "ODOO_MAX_ANSWER_BYTES" in line
    assert rss < 250, f"peak RSS {rss:.0f} MB"
    assert SyncRun.objects.get(run_type="odoo").status == "failed"
    assert caches["shared"].get(LOCK_KEY) is None


WRONG = [
    ("GET /web/version", {"version": 19}),
    ("res.users.context_get", []),
    ("res.users.context_get", {"uid": "2"}),
    ("res.users.search_read", {"records": []}),
    ("res.users.search_read", [["company_id", 1]]),
    ("res.users.search_read", [{"id": 2, "company_id": "1"}]),
    ("res.users.search_read", [{"id": 2, "company_id": [1]}]),
    ("res.company.search_read", [{"id": 1, "currency_id": [1, 2]}]),
    ("res.company.search_read", "IQD"),
    ("product.template.fields_get", ["type"]),
    ("uom.uom.search_read", [{"id": "1", "name": "Units", "active": True}]),
    ("uom.uom.search_read", [{"id": 1, "name": None, "active": True}]),
    ("uom.uom.search_read", [{"id": 1, "name": "Units", "active": "yes"}]),
    ("uom.uom.search_read", None),
    ("product.template.search_count", "12"),
    ("product.template.search_count", True),
]
XMLRPC_ONLY = [("common.version", {"server_version": 18}), ("common.version", ["18.0"]),
               ("common.authenticate", "2"), ("common.authenticate", [2])]


def _versioned(cases: list[tuple[str, Any]]) -> list[Any]:
    out = []
    for call, value in cases:
        versions = [19] if call in ("GET /web/version", "res.users.context_get") else [18, 19]
        out += [pytest.param(version, call, value, id=f"odoo{version}-{call}-{value!r}") for version in versions]
    return out + [pytest.param(18, call, value, id=f"odoo18-{call}-{value!r}") for call, value in XMLRPC_ONLY]


@pytest.mark.parametrize(("version", "call", "value"), _versioned(WRONG))
def test_answers_of_the_wrong_shape_end_in_one_typed_line(hostile, settings, version, call, value):
    proxy = hostile(version=version, **{call: Value(value)})
    point_settings(settings, proxy.fake)
    settings.ODOO_URL = proxy.url
    with pytest.raises(CommandError) as caught:
        call_command("tds_odoo_sync", "--once")
    message = str(caught.value)
    assert call in proxy.seen
    assert message.startswith("Odoo sync failed: ") and "\n" not in message, message
    for python in ("TypeError", "AttributeError", "KeyError", "IndexError", "ValueError", "object has no"):
        assert python not in message, message
    assert type(caught.value.__cause__).__name__ in ("OdooAnswerError", "OdooProtocolError")
    assert SyncRun.objects.get(run_type="odoo").status == "failed"


@pytest.mark.parametrize(("call", "value"), [("product.template.create", [1]),
                                             ("product.template.create", ["7"] * 40),
                                             ("product.template.create", {"ids": [1]})])
def test_a_create_answered_with_the_wrong_ids_links_nothing(mirror, hostile, settings, call, value):
    from odoo.models import OdooProductLink

    proxy = hostile(version=19, **{call: Value(value)})
    point_settings(settings, proxy.fake)
    settings.ODOO_URL = proxy.url
    with pytest.raises(CommandError, match=r"^Odoo sync failed: Odoo answered product.template.create with"):
        call_command("tds_odoo_sync", "--once")
    assert not OdooProductLink.objects.exists()


@pytest.mark.parametrize("version", [17, 18, 19])
def test_a_model_odoo_does_not_have_is_named_in_one_line(odoo_fake_factory, version):
    fake = odoo_fake_factory(version=version)
    config = OdooSettings(url=fake.url, db=fake.config.db, username=fake.config.login, api_key=fake.config.api_key)
    with pytest.raises(OdooMissingError) as caught:
        OdooClient(config).search_read("stock.quant.nothing", [], ["id"])
    assert "stock.quant.nothing" in str(caught.value) and "\n" not in str(caught.value)
    if version < 19:
        assert str(caught.value) == ("Odoo has no model stock.quant.nothing (is the app that provides it "
                                     "installed?)")


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["TERM", "INT"])
def test_a_signal_releases_the_lock_and_settles_the_run(hostile, signum, code):
    proxy = hostile(version=19, **{"GET /web/version": Drip(every=1.0)})
    proc = subprocess.Popen([sys.executable, "manage.py", "tds_odoo_sync", "--once"], cwd=ROOT,
                            env=odoo_env(proxy, ODOO_TIMEOUT_SECONDS="120"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: "GET /web/version" in proxy.seen and caches["shared"].get(LOCK_KEY) is not None
                        and SyncRun.objects.filter(run_type="odoo", status="running").exists())
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    name = signal.Signals(signum).name
    assert proc.returncode == code and "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == (f"Odoo sync stopped by {name} before it finished: locks released, "
                                            "the run recorded as failed")
    assert caches["shared"].get(LOCK_KEY) is None
    run = SyncRun.objects.get(run_type="odoo")
    assert run.status == "failed" and run.error_message == f"StopRequested: stopped by {name} before it finished"
    assert run.finished_at is not None


def test_records_odoo_was_not_asked_for_are_not_counted(mirror, hostile, settings):
    stranger = [{"id": 999999, "active": True, "default_code": False}]
    proxy = hostile(version=19, **{"product.template.search_read": Value(stranger)})
    point_settings(settings, proxy.fake)
    settings.ODOO_URL = proxy.url
    out = io.StringIO()
    call_command("tds_odoo_sync", "--once", stdout=out)
    text = out.getvalue()
    assert "Odoo sync completed" in text, text
    assert "Zoho 39 != Odoo 0: 39 missing in Odoo" in text and "match no" in text, text
