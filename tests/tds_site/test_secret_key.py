"""SECRET_KEY: the public development key only with DEBUG on; a weak key stops every process with one line;
without a key, commands run on a random key of their own while the broker readers refuse to start."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tds_site.secret_key import DEVELOPMENT_KEY, secret_key_setting

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
STRONG = "Jx3vQ9-w_Lr8Tz1mNc5Kp0Ys7Hd2Fb6Ge4Ua9Wq3Ro8El1Vi5Tn7Sk2Mj0Xc4Zb"
WEAK = [
    (DEVELOPMENT_KEY, "is the built-in development key, which is public"),
    ("django-insecure-" + STRONG, "starts with 'django-insecure-' (a generated development key)"),
    ("change-me-to-a-long-random-string", "has 33 characters; it needs at least 50"),
    ("x" * 80, "has fewer than 5 different characters"),
    ("abcd" * 20, "has fewer than 5 different characters"),
    (STRONG[:49], "has 49 characters; it needs at least 50"),
]


@pytest.mark.parametrize("key,why", WEAK)
def test_a_weak_key_with_debug_off_is_refused_naming_secret_key(key, why):
    with pytest.raises(ImproperlyConfigured) as refused:
        secret_key_setting(configured=key, debug=False)
    message = str(refused.value)
    assert message.startswith(f"SECRET_KEY {why};") and "\n" not in message
    assert key not in message


@pytest.mark.parametrize("key,why", WEAK)
def test_with_debug_on_any_key_is_taken(key, why):
    assert secret_key_setting(configured=key, debug=True) == (key, False)


def test_keys_by_case():
    assert secret_key_setting(configured=STRONG, debug=False) == (STRONG, False)
    assert secret_key_setting(configured="", debug=True) == (DEVELOPMENT_KEY, False)
    first, missing = secret_key_setting(configured="", debug=False)
    second, _ = secret_key_setting(configured="", debug=False)
    assert missing and first != second and DEVELOPMENT_KEY not in (first, second) and len(first) >= 50


# --- real processes --------------------------------------------------------------------------------
def _env(**extra: str) -> dict[str, str]:
    """A fresh checkout: no TDS/Zoho/Django variables, SQLite in a scratch file (extra may set more)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TDS_", "ZOHO_", "DJANGO_", "GUNICORN_"))
           and k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")}
    return {**env, "DJANGO_SETTINGS_MODULE": "tds_site.settings", **extra}


def _manage(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(**extra), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


# Settings load first in every command, so these stand for all of them (gunicorn below).
PROCESSES = [("migrate", "--noinput"), ("tds_sync", "--dry-run"), ("qcluster",), ("tds_scheduler",)]


@pytest.mark.parametrize("args", PROCESSES, ids=lambda a: a[0])
def test_every_command_stops_on_the_public_key_with_debug_off(args, tmp_path):
    result = _manage(*args, SECRET_KEY=DEVELOPMENT_KEY, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert _one_line(result.stderr) == (
        "TDS configuration error: SECRET_KEY is the built-in development key, which is public; with DEBUG off "
        "use a long random one, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'")
    assert not (tmp_path / "db.sqlite3").exists()  # stopped before touching the database


@pytest.mark.parametrize("args", [("qcluster",), ("tds_scheduler",), ("qinfo",), ("qmonitor", "--run-once"),
                                  ("qmemory", "--run-once")], ids=lambda a: a[0])
def test_every_broker_reader_refuses_to_start_without_a_key(args, tmp_path):
    result = _manage(*args, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 3
    assert _one_line(result.stderr) == (
        f"TDS configuration error: SECRET_KEY must be set when DEBUG is off: {args[0]} reads the django-q2 broker, "
        "whose tasks are signed with it; give the web server and every cluster the same SECRET_KEY")
    assert result.stdout == ""  # refused before the banner, before any schedule is written


def test_other_commands_work_without_any_variable(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrated = _manage("migrate", "--noinput", DATABASE_URL=database)
    assert migrated.returncode == 0, migrated.stderr
    for args in (("check",), ("tds_token", "list"), ("tds_deadletter", "list")):
        result = _manage(*args, DATABASE_URL=database)
        assert result.returncode == 0 and "SECRET_KEY" not in result.stderr, (args, result.stderr)


def test_check_deploy_reports_a_missing_key(tmp_path):
    result = _manage("check", "--deploy", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0
    assert ("tds.E002) SECRET_KEY must be set when DEBUG is off: the web server and the workers refuse to start "
            "without it") in result.stderr


def test_with_debug_on_the_cluster_starts_on_the_development_key(tmp_path):
    """scripts/serve: DEBUG=true, no SECRET_KEY; the cluster and the web share the built-in key."""
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SECRET_KEY)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(DEBUG="true"), capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip() == DEVELOPMENT_KEY, out.stderr
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert _manage("migrate", "--noinput", DEBUG="true", DATABASE_URL=database).returncode == 0
    result = _manage("qcluster", "--run-once", DEBUG="true", DATABASE_URL=database, TDS_WORKER_COUNT="1")
    assert result.returncode == 0 and "SECRET_KEY" not in result.stderr, result.stderr


def test_gunicorn_refuses_the_public_key_with_one_line():
    process = subprocess.run([GUNICORN, "-c", "tds_site/gunicorn.conf.py", "--no-control-socket", "--bind",
                              "127.0.0.1:0", "tds_site.wsgi:application"], cwd=ROOT,
                             env=_env(SECRET_KEY=DEVELOPMENT_KEY, ZOHO_SANDBOX="true", WEB_CONCURRENCY="1"),
                             capture_output=True, text=True, timeout=60)
    assert process.returncode != 0
    assert ("TDS configuration error: SECRET_KEY is the built-in development key, which is public"
            in process.stdout + process.stderr)


# --- a process without a key puts nothing on the broker --------------------------------------------
@pytest.mark.django_db
def test_without_a_key_no_task_leaves_the_process(settings, caplog):
    from django.core.cache import cache
    from django_q.brokers import get_broker
    from django_q.tasks import async_task

    from sync.pipeline import kick
    from sync.pipeline.kick import queue_kick

    settings.TDS_SECRET_KEY_MISSING, settings.TDS_WEBHOOK_KICK_SECONDS = True, 0.001
    cache.delete(kick.KICK_KEY)  # a kick another test made in the last seconds would hold this one back
    kick._LAST_KICK[0] = float("-inf")
    broker = get_broker()
    broker.purge_queue()
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set when DEBUG is off: task 'x' was not"):
        async_task("sync.tasks.drain_queue", task_name="x")
    queue_logger = logging.getLogger("tds.queue")
    queue_logger.addHandler(caplog.handler)  # the "tds" loggers do not propagate to root
    try:
        queue_kick()
    finally:
        queue_logger.removeHandler(caplog.handler)
    assert "could not enqueue a drain task (SECRET_KEY must be set when DEBUG is off" in caplog.text
    assert broker.queue_size() == 0
    # django-q2's sync mode runs the task here, where this process's own key reads it.
    assert async_task("math.floor", 2.5, sync=True)
