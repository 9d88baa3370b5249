"""Mail settings from the environment: EMAIL_URL or its parts, senders, timeout, CA file. Every bad value stops
start-up with one line naming the variable, and no line ever shows the relay's password."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tds_site.mail_env import PARTS, SMTP_BACKEND, env_address, env_addresses, env_cafile, mail_from_env

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-PW"
MAIL_VARIABLES = (*PARTS, "EMAIL_URL", "EMAIL_TIMEOUT", "EMAIL_SSL_CAFILE", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL")


@pytest.fixture
def mail_env(monkeypatch):
    """mail_env(NAME=value, ...) -> mail_from_env() with exactly those mail variables set."""
    def read(**values: str):
        for name in MAIL_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return mail_from_env()

    return read


GOOD = [
    ({}, dict(backend=SMTP_BACKEND, host="localhost", port=25, use_tls=False, use_ssl=False, source="")),
    ({"EMAIL_URL": "smtp://relay.example.com"}, dict(host="relay.example.com", port=25, use_tls=False, user="")),
    ({"EMAIL_URL": "smtp+tls://alerts:p%40ss%2Fw@relay.example.com:2525"},
     dict(port=2525, use_tls=True, use_ssl=False, user="alerts", password="p@ss/w", source="EMAIL_URL")),
    ({"EMAIL_URL": "smtp+tls://alerts:pw@relay.example.com"}, dict(port=587, use_tls=True)),
    ({"EMAIL_URL": "SMTP+SSL://alerts:pw@relay.example.com"}, dict(port=465, use_ssl=True, use_tls=False)),
    ({"EMAIL_URL": "smtp://relay.example.com?tls=true"}, dict(port=25, use_tls=True)),
    ({"EMAIL_URL": "smtp+tls://relay.example.com:25?tls=off"}, dict(port=25, use_tls=False)),
    ({"EMAIL_URL": "smtp+tls://alerts@relay.example.com", "EMAIL_HOST_PASSWORD": "from-a-secrets-file"},
     dict(user="alerts", password="from-a-secrets-file")),
    ({"EMAIL_URL": "consolemail://"}, dict(backend="django.core.mail.backends.console.EmailBackend",
                                           source="EMAIL_URL")),
    ({"EMAIL_URL": "dummymail://"}, dict(backend="django.core.mail.backends.dummy.EmailBackend")),
    ({"EMAIL_URL": "memorymail://"}, dict(backend="django.core.mail.backends.locmem.EmailBackend")),
    ({"EMAIL_URL": "filemail:///var/tmp/tds-mail"}, dict(backend="django.core.mail.backends.filebased.EmailBackend",
                                                         file_path="/var/tmp/tds-mail")),
    ({"EMAIL_HOST": "relay.example.com", "EMAIL_USE_TLS": "true", "EMAIL_HOST_USER": "alerts",
      "EMAIL_HOST_PASSWORD": "pw"}, dict(host="relay.example.com", port=587, use_tls=True, source="EMAIL_HOST")),
    ({"EMAIL_HOST": "relay.example.com", "EMAIL_USE_SSL": "1"}, dict(port=465, use_ssl=True)),
    ({"EMAIL_HOST": "relay.example.com", "EMAIL_PORT": "2525"}, dict(port=2525, use_tls=False)),
    ({"EMAIL_PORT": "2525"}, dict(host="localhost", port=2525, source="EMAIL_HOST")),
]


@pytest.mark.parametrize(("values", "expected"), GOOD, ids=[str(i) for i in range(len(GOOD))])
def test_good_values_give_the_relay_they_say(mail_env, values, expected):
    mail = mail_env(**values)
    assert {name: getattr(mail, name) for name in expected} == expected


BAD = [
    ({"EMAIL_URL": f"smtps://alerts:{SECRET}@relay.example.com"}, "EMAIL_URL: smtps:// is ambiguous"),
    ({"EMAIL_URL": f"imap://alerts:{SECRET}@relay.example.com"}, "EMAIL_URL must start with one of smtp://"),
    ({"EMAIL_URL": f"alerts:{SECRET}@relay.example.com:25"}, "EMAIL_URL must start with one of"),
    ({"EMAIL_URL": "relay.example.com"}, "got no scheme"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com:abc"}, "EMAIL_URL has a port that is not a number"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com:70000"}, "EMAIL_URL has a port that is not a number"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com:0"}, "EMAIL_URL has a port that is not a number"),
    ({"EMAIL_URL": f"smtp+tls://alerts:{SECRET}@relay.example.com?ssl=true"}, "turns on both STARTTLS"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com?tls=maybe"}, "option tls must be true or false"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com?timeout=5"}, "unknown option 'timeout'"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@:25"}, "EMAIL_URL names no host"),
    ({"EMAIL_URL": "smtp://alerts@relay.example.com"}, "gives a user name but no password"),
    ({"EMAIL_URL": f"smtp://:{SECRET}@relay.example.com"}, "gives a password but no user name"),
    ({"EMAIL_URL": "filemail://relative/dir"}, "filemail:///absolute/path"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com", "EMAIL_HOST": "other"},
     "EMAIL_URL is set, so EMAIL_HOST must not be"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com", "EMAIL_USE_TLS": "true", "EMAIL_PORT": "25"},
     "EMAIL_URL is set, so EMAIL_PORT, EMAIL_USE_TLS must not be"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com", "EMAIL_HOST_PASSWORD": SECRET}, "keep one"),
    ({"EMAIL_HOST": "relay", "EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"},
     "EMAIL_USE_TLS and EMAIL_USE_SSL are both on"),
    ({"EMAIL_HOST": "relay", "EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a whole number"),
    ({"EMAIL_HOST": "relay", "EMAIL_PORT": "99999"}, "EMAIL_PORT must be at most 65535"),
    ({"EMAIL_HOST": "relay", "EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS must be true or false"),
    ({"EMAIL_HOST": "relay", "EMAIL_HOST_USER": "alerts"}, "EMAIL_HOST_USER is set but EMAIL_HOST_PASSWORD is not"),
    ({"EMAIL_HOST": "relay", "EMAIL_HOST_PASSWORD": SECRET}, "EMAIL_HOST_PASSWORD is set but EMAIL_HOST_USER is not"),
]


@pytest.mark.parametrize(("values", "expected"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_value_is_one_line_naming_the_variable_without_the_password(mail_env, values, expected):
    with pytest.raises(ImproperlyConfigured) as refused:
        mail_env(**values)
    message = str(refused.value)
    assert expected in message and "\n" not in message
    assert SECRET not in message


@pytest.mark.parametrize(("value", "ok"), [
    ("alerts@tsh.example", True), ("TDS alerts <alerts@tsh.example>", True), ("webmaster@localhost", True),
    ("alerts", False), ("TDS alerts", False), ("alerts@", False), ("a@b.com, c@d.com", False),
])
def test_a_sender_must_be_one_address(monkeypatch, value, ok):
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", value)
    if ok:
        assert env_address("DEFAULT_FROM_EMAIL", "webmaster@localhost") == value
    else:
        with pytest.raises(ImproperlyConfigured, match="DEFAULT_FROM_EMAIL must be an e-mail address"):
            env_address("DEFAULT_FROM_EMAIL", "webmaster@localhost")


def test_recipients_are_checked_one_by_one(monkeypatch):
    monkeypatch.setenv("TDS_ALERT_EMAILS", " ops@example.com, Boss <boss@example.com> ,")
    assert env_addresses("TDS_ALERT_EMAILS") == ["ops@example.com", "Boss <boss@example.com>"]
    monkeypatch.setenv("TDS_ALERT_EMAILS", "ops@example.com;boss@example.com")
    with pytest.raises(ImproperlyConfigured, match="'ops@example.com;boss@example.com', which is not an e-mail"):
        env_addresses("TDS_ALERT_EMAILS")


def test_the_ca_file_is_read_at_start_up(monkeypatch, tmp_path):
    import trustme

    good = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(good))
    monkeypatch.setenv("EMAIL_SSL_CAFILE", str(good))
    assert env_cafile("EMAIL_SSL_CAFILE") == str(good)
    monkeypatch.setenv("EMAIL_SSL_CAFILE", str(tmp_path / "missing.pem"))
    with pytest.raises(ImproperlyConfigured, match="EMAIL_SSL_CAFILE must be a readable PEM file"):
        env_cafile("EMAIL_SSL_CAFILE")
    (tmp_path / "garbage.pem").write_text("not a certificate")
    monkeypatch.setenv("EMAIL_SSL_CAFILE", str(tmp_path / "garbage.pem"))
    with pytest.raises(ImproperlyConfigured, match="EMAIL_SSL_CAFILE holds no usable CA certificate"):
        env_cafile("EMAIL_SSL_CAFILE")


# --- through manage.py: the line a person sees -----------------------------------------------------------
def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TDS_", "ZOHO_", "DJANGO_", "EMAIL_")) and k not in (
                 "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEFAULT_FROM_EMAIL", "SERVER_EMAIL")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("env", "line"), [
    ({"EMAIL_URL": f"smtps://alerts:{SECRET}@relay.example.com"}, "TDS configuration error: EMAIL_URL: smtps://"),
    ({"EMAIL_URL": f"smtp://alerts:{SECRET}@relay.example.com:port"}, "TDS configuration error: EMAIL_URL has a port"),
    ({"EMAIL_URL": f"smtp+ssl://alerts:{SECRET}@relay.example.com?tls=1"},
     "TDS configuration error: EMAIL_URL turns on both"),
    ({"DEFAULT_FROM_EMAIL": "TDS alerts"}, "TDS configuration error: DEFAULT_FROM_EMAIL must be an e-mail address"),
    ({"EMAIL_TIMEOUT": "0"}, "TDS configuration error: EMAIL_TIMEOUT must be at least 1"),
])
def test_start_up_stops_with_one_line(env, line):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert result.stderr.strip() == line or result.stderr.strip().startswith(line)
    assert len(result.stderr.strip().splitlines()) == 1
    assert SECRET not in result.stdout + result.stderr and "Traceback" not in result.stderr


PRODUCTION = {"SECRET_KEY": "p" * 30 + "-0123456789-abcdefghijkl", "ALLOWED_HOSTS": "erp.example.com",
              "SECURE_SSL_REDIRECT": "true", "SESSION_COOKIE_SECURE": "true", "CSRF_COOKIE_SECURE": "true",
              "SECURE_HSTS_SECONDS": "31536000", "TDS_ALERT_EMAILS": "ops@example.com",
              "TDS_METRICS_TOKEN": "m" * 32}


def test_check_deploy_warns_about_a_default_sender_and_relay():
    result = _manage("check", "--deploy", **PRODUCTION)
    assert "tds.W001" in result.stderr and "alert e-mail is sent from webmaster@localhost" in result.stderr
    assert "tds.W002" in result.stderr and "localhost:25: no EMAIL_URL or EMAIL_HOST is set" in result.stderr
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION,
                     EMAIL_URL=f"smtp+tls://alerts:{SECRET}@relay.example.com", DEFAULT_FROM_EMAIL="alerts@tsh.example")
    assert result.returncode == 0, result.stderr
    assert "tds.W00" not in result.stdout + result.stderr and SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(("overrides", "ids"), [
    ({"TDS_ALERT_EMAILS": []}, []),
    ({}, ["tds.W001", "tds.W002"]),
    ({"DEFAULT_FROM_EMAIL": "TDS <alerts@tsh.example>", "TDS_EMAIL_SOURCE": "EMAIL_URL"}, []),
    ({"DEFAULT_FROM_EMAIL": "TDS <root@LOCALHOST>", "TDS_EMAIL_SOURCE": "EMAIL_URL"}, ["tds.W001"]),
    ({"DEFAULT_FROM_EMAIL": "alerts@tsh.example", "TDS_EMAIL_SOURCE": "EMAIL_URL",
      "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, ["tds.W002"]),
])
def test_the_alert_mail_check(settings, overrides, ids):
    from tds_site.checks import check_alert_mail

    settings.TDS_ALERT_EMAILS = ["ops@example.com"]
    settings.DEFAULT_FROM_EMAIL, settings.TDS_EMAIL_SOURCE = "webmaster@localhost", ""
    settings.EMAIL_BACKEND = SMTP_BACKEND
    for name, value in overrides.items():
        setattr(settings, name, value)
    assert [warning.id for warning in check_alert_mail()] == ids
