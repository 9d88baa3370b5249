"""Settings come from the environment and a bad value stops start-up with a clear message."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Not the suite's database either: on PostgreSQL with DEBUG off `check` would (rightly) ask for
    # collected static files (tds.E001), which these settings tests are not about.
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TDS_", "ZOHO_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TDS_RETRY_MAX_ATTEMPTS", "many", "TDS_RETRY_MAX_ATTEMPTS must be a whole number"),
        ("TDS_RETRY_MAX_ATTEMPTS", "0", "TDS_RETRY_MAX_ATTEMPTS must be at least 1"),
        ("ZOHO_DC", "mars", "ZOHO_DC must be one of"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL"),
        ("TDS_ENABLE_AUTO_SYNC", "perhaps", "TDS_ENABLE_AUTO_SYNC must be true or false"),
        ("MEDIA_STORAGE", "ftp", "MEDIA_STORAGE must be one of local, s3"),
        ("MEDIA_STORAGE", "s3", "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_naming_the_variable(variable: str, value: str, expected: str) -> None:
    result = run_manage("check", **{variable: value})
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_defaults_give_a_working_setup_with_no_variables() -> None:
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_production_like_variables() -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="erp.tsh.sale",
        SECURE_SSL_REDIRECT="true",
        SESSION_COOKIE_SECURE="true",
        CSRF_COOKIE_SECURE="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        TDS_METRICS_TOKEN="m" * 40,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_switch_to_postgres_and_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.Q_CLUSTER.get('redis'), s.CACHES['shared']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TDS_", "ZOHO_"))}
    env.update(DATABASE_URL="postgres://postgres@127.0.0.1:5432/tds", REDIS_URL="redis://127.0.0.1:6379/0",
               DJANGO_SETTINGS_MODULE="tds_site.settings")
    out = subprocess.run([sys.executable, "-c", "import django;django.setup();" + code], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "postgresql" in out.stdout
    assert "redis://127.0.0.1:6379/0" in out.stdout
    assert "RedisCache" in out.stdout
