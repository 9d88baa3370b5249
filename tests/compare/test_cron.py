"""`tds_scheduler --once` under cron conditions: a subprocess with no TTY and no stdin, a bare
environment, its own SQLite database, the sandbox over real HTTP. Exit 0 when the run is done,
1 with one line when it fails.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def bare_env(tmp_path: Path, accounts_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tds_site.settings", "ZOHO_SANDBOX": "true", "ZOHO_ACCOUNTS_URL": accounts_url,
        "ZOHO_RATE_LIMIT_PER_MINUTE": "0", "DATABASE_URL": f"sqlite:///{tmp_path / 'cron.sqlite3'}",
        "TDS_LOGS_DIR": str(tmp_path / "logs"), "MEDIA_ROOT": str(tmp_path / "media"),
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per module; each test works on a copy."""
    folder = tmp_path_factory.mktemp("cron-template")
    result = manage(bare_env(folder, "http://127.0.0.1:9"), "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    return folder / "cron.sqlite3"


@pytest.fixture
def cron_env(sandbox_factory: Any, tmp_path: Path, migrated: Path) -> dict[str, str]:
    shutil.copyfile(migrated, tmp_path / "cron.sqlite3")
    return bare_env(tmp_path, sandbox_factory(items=30).url)


def test_once_runs_compare_and_sync_without_tty_or_stdin(cron_env: dict[str, str], tmp_path: Path) -> None:
    first = manage(cron_env, "tds_scheduler", "--once")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "📊 QUICK SUMMARY" in first.stdout
    assert "ITEMS: FULL_SYNC" in first.stdout  # a fresh database: never pulled
    assert "✅ Auto-sync complete!" in first.stdout
    again = manage(cron_env, "tds_scheduler", "--once")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Health Score: 100.0/100 (EXCELLENT)" in again.stdout
    assert "✅ Nothing to sync: Zoho and local agree." in again.stdout
    summary = (tmp_path / "logs" / "tds_auto_sync_summary.txt").read_text().splitlines()
    assert len(summary) == 2 and "health=100.0 EXCELLENT" in summary[1]


def test_once_fails_with_one_line_and_a_non_zero_exit(cron_env: dict[str, str]) -> None:
    result = manage(cron_env | {"ZOHO_REFRESH_TOKEN": "revoked-token"}, "tds_scheduler", "--once")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("CommandError: compare+sync failed: ZohoAuthError")
    assert "Traceback" not in result.stderr
    assert "revoked-token" not in result.stderr + result.stdout


HOLD_LOCK = (
    "import time\n"
    "from sync import schedules\n"
    "with schedules.schedule_lock(schedules.COMPARE_SYNC) as held:\n"
    "    print('held' if held else 'busy', flush=True)\n"
    "    time.sleep(60)\n"
)


def test_a_run_skips_while_another_process_holds_the_schedule(cron_env: dict[str, str]) -> None:
    """Another worker (or cron run) is still inside compare+sync: this one logs, skips and exits 0."""
    holder = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", HOLD_LOCK],
                              cwd=ROOT, env=cron_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = manage(cron_env, "tds_scheduler", "--once")
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.stdout.strip() == "⏭️  Skipped: the previous compare+sync is still running."
    assert "schedule 'tds: compare and sync' skipped: the previous run is still going" in second.stderr
