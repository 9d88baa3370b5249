"""`manage.py tds_alerts test-notify`: one test notice per channel, one line each (sent / refused with the
server's reason / failed / not configured), exit 1 when a configured channel did not take it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from sync.models import Alert

pytestmark = pytest.mark.django_db
ROOT = Path(django_settings.BASE_DIR)
PASSWORD = "relay-Secret-7"
SENDER = "TDS alerts <alerts@tsh.example>"


def _test_notify(capsys) -> tuple[int, list[str], str]:
    try:
        call_command("tds_alerts", "test-notify")
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


@pytest.fixture
def channels(settings, relays, hook, mail_url):
    relay = relays(users={"alerts": PASSWORD})
    mail_url(f"smtp://alerts:{PASSWORD}@127.0.0.1:{relay.port}")
    settings.DEFAULT_FROM_EMAIL = SENDER
    settings.TDS_ALERT_EMAILS = ["ops@example.com", "boss@example.com"]
    settings.TDS_ALERT_WEBHOOK_URL = hook.url
    return relay, hook


def test_every_channel_takes_the_test_notice(channels, capsys):
    relay, hook = channels
    code, lines, _ = _test_notify(capsys)
    assert code == 0
    assert lines == [f"e-mail from {SENDER} through 127.0.0.1:{relay.port} (no TLS, login alerts, timeout 10 s)",
                     "e-mail to ops@example.com: sent", "e-mail to boss@example.com: sent",
                     f"webhook to {hook.host}: sent"]
    assert [m.message["To"] for m in relay.received] == ["ops@example.com", "boss@example.com"]
    assert all(m.message["From"] == SENDER and m.message["Subject"].startswith("[TDS test] Test notice from ")
               and "test-notify" in m.message.get_content() for m in relay.received)
    assert len(hook.bodies) == 1 and hook.bodies[0]["text"].startswith("*[TDS test] Test notice from ")
    assert not Alert.objects.exists()  # a test notice is no alert


def test_refusals_are_printed_with_the_servers_reason_and_exit_1(channels, capsys):
    relay, hook = channels
    relay.refuse_sender = "553 5.7.1 <alerts@tsh.example>: Sender address rejected: not owned by user alerts"
    hook.status, hook.reply = 403, b"invalid_token"
    code, lines, err = _test_notify(capsys)
    assert code == 1
    assert lines[1:] == [
        "e-mail to ops@example.com: refused: 553 5.7.1 <alerts@tsh.example>: Sender address rejected: not owned by "
        "user alerts",
        "e-mail to boss@example.com: refused: 553 5.7.1 <alerts@tsh.example>: Sender address rejected: not owned by "
        "user alerts",
        f"webhook to {hook.host}: refused: HTTP 403: invalid_token"]
    assert err.strip() == "3 of 3 channel(s) did not take the test notice"
    assert len(hook.bodies) == 1  # a 4xx is not retried
    assert PASSWORD not in "\n".join(lines) + err and "secret-path" not in "\n".join(lines) + err


def test_one_failed_channel_is_enough_to_exit_1(channels, capsys, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings.TDS_ALERT_WEBHOOK_URL = f"http://127.0.0.1:{closed}/services/T000/B000/secret-path"
    code, lines, err = _test_notify(capsys)
    assert code == 1
    assert lines[1:3] == ["e-mail to ops@example.com: sent", "e-mail to boss@example.com: sent"]
    assert lines[3] == f"webhook to 127.0.0.1:{closed}: failed: Connection refused"
    assert "1 of 3 channel(s)" in err and "secret-path" not in "\n".join(lines)


def test_channels_not_configured_are_said_so(settings, capsys):
    settings.TDS_ALERT_EMAILS, settings.TDS_ALERT_WEBHOOK_URL = [], ""
    code, lines, _ = _test_notify(capsys)
    assert code == 0
    assert lines == ["e-mail: not configured (TDS_ALERT_EMAILS is empty)",
                     "webhook: not configured (TDS_ALERT_WEBHOOK_URL is empty)"]


def test_only_the_webhook_configured(settings, hook, capsys):
    settings.TDS_ALERT_EMAILS, settings.TDS_ALERT_WEBHOOK_URL = [], hook.url
    code, lines, _ = _test_notify(capsys)
    assert (code, lines) == (0, ["e-mail: not configured (TDS_ALERT_EMAILS is empty)", f"webhook to {hook.host}: sent"])


# --- the real command line: settings from the environment (EMAIL_URL, the CA file), its own database -------
def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def _bare_env(folder: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "HOME": str(folder),
            "DJANGO_SETTINGS_MODULE": "tds_site.settings", "DATABASE_URL": f"sqlite:///{folder / 'notify.sqlite3'}",
            "TDS_LOGS_DIR": str(folder / "logs"), "MEDIA_ROOT": str(folder / "media"), **extra}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notify-template")
    result = _manage(_bare_env(folder), "migrate", "-v0")
    assert result.returncode == 0, result.stderr
    return folder / "notify.sqlite3"


def test_the_command_line_sends_over_starttls_as_the_environment_says(relays, hook, ca, tmp_path, migrated):
    import ssl

    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    relay = relays(tls=server, users={"alerts": PASSWORD})
    shutil.copyfile(migrated, tmp_path / "notify.sqlite3")
    env = _bare_env(tmp_path, EMAIL_URL=f"smtp+tls://alerts:{PASSWORD}@127.0.0.1:{relay.port}",
                    EMAIL_SSL_CAFILE=str(ca.pem_path), EMAIL_TIMEOUT="5", DEFAULT_FROM_EMAIL=SENDER,
                    TDS_ALERT_EMAILS="ops@example.com", TDS_ALERT_WEBHOOK_URL=hook.url)
    result = _manage(env, "tds_alerts", "test-notify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"e-mail from {SENDER} through 127.0.0.1:{relay.port} (STARTTLS, login alerts, timeout 5 s)",
        "e-mail to ops@example.com: sent", f"webhook to {hook.host}: sent"]
    assert len(relay.received) == 1 and relay.received[0].tls and relay.received[0].mail_from == "alerts@tsh.example"
    assert len(hook.bodies) == 1

    relay.refuse_sender = "553 5.7.1 Sender address rejected"
    result = _manage(env, "tds_alerts", "test-notify")
    assert result.returncode == 1
    assert "e-mail to ops@example.com: refused: 553 5.7.1 Sender address rejected" in result.stdout
    assert "Traceback" not in result.stderr and PASSWORD not in result.stdout + result.stderr
