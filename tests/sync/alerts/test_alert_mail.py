"""Alert e-mail through a real SMTP relay (aiosmtpd): the configured sender, login and TLS, and what a relay
that refuses, lies dead or cannot be trusted leaves on the alert, the alerts page and the overview."""
from __future__ import annotations

import logging
import socket
import ssl
import time

import pytest
from django.utils import timezone

from sync.alerts import rules
from sync.alerts.evaluate import alerts_evaluate
from sync.models import Alert, DeadLetter

pytestmark = pytest.mark.django_db
PASSWORD = "p@ss w/rd:Secret-9"  # characters a URL must escape
URL_PASSWORD = "p%40ss%20w%2Frd%3ASecret-9"
SENDER = "TDS alerts <alerts@tsh.example>"
REFUSED_SENDER = "553 5.7.1 <webmaster@localhost>: Sender address rejected: not owned by user alerts"


def _server_tls(ca, name: str = "127.0.0.1") -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def _fire() -> Alert:
    DeadLetter.objects.bulk_create([DeadLetter(entity="items", zoho_id=str(i), error_class="permanent",
                                               error_message="bad") for i in range(25)])
    assert alerts_evaluate(rules=[rules.dead_letters]).opened == ["dead_letters"]
    return Alert.objects.get(code="dead_letters")


def _clear() -> None:
    DeadLetter.objects.update(resolved=True)
    assert alerts_evaluate(rules=[rules.dead_letters]).resolved == ["dead_letters"]


@pytest.fixture
def recipients(settings):
    settings.TDS_ALERT_EMAILS = ["ops@example.com", "boss@example.com"]
    settings.TDS_ALERT_WEBHOOK_URL = ""
    settings.DEFAULT_FROM_EMAIL = SENDER
    return settings.TDS_ALERT_EMAILS


def test_plain_smtp_with_a_login_delivers_each_recipient_the_alert_from_the_configured_sender(
        relays, mail_url, recipients, caplog):
    relay = relays(users={"alerts": PASSWORD})
    mail_url(f"smtp://alerts:{URL_PASSWORD}@127.0.0.1:{relay.port}")
    with caplog.at_level(logging.DEBUG):
        alert = _fire()
    assert sorted(m.rcpt_tos[0] for m in relay.received) == sorted(recipients)
    for mail in relay.received:
        assert mail.mail_from == "alerts@tsh.example" and mail.login == "alerts" and not mail.tls
        assert mail.message["From"] == SENDER and mail.message["To"] == mail.rcpt_tos[0]
        assert mail.message["Subject"] == "[TDS critical] dead_letters opened: Open dead letters: 25 (threshold 20)"
        body = mail.message.get_content()
        assert "Alert dead_letters opened" in body and "Value:     25" in body
    alert.refresh_from_db()
    assert (alert.notifications, alert.notify_error, alert.notify_failed_at) == (1, "", None)
    assert PASSWORD not in caplog.text


def test_starttls_verifies_the_relay_against_the_configured_ca(relays, mail_url, recipients, ca, settings):
    relay = relays(tls=_server_tls(ca), users={"alerts": PASSWORD})
    mail_url(f"smtp+tls://alerts:{URL_PASSWORD}@127.0.0.1:{relay.port}")
    settings.EMAIL_SSL_CAFILE = str(ca.pem_path)
    _fire()
    assert len(relay.received) == 2
    assert all(m.tls and m.login == "alerts" and m.message["From"] == SENDER for m in relay.received)


def test_implicit_tls_delivers_too(relays, mail_url, recipients, ca, settings):
    relay = relays(tls=_server_tls(ca), implicit_tls=True, users={"alerts": PASSWORD})
    mail_url(f"smtp+ssl://alerts:{URL_PASSWORD}@127.0.0.1:{relay.port}")
    settings.EMAIL_SSL_CAFILE = str(ca.pem_path)
    _fire()
    assert len(relay.received) == 2 and all(m.tls and m.login == "alerts" for m in relay.received)


UNKNOWN_CA = "is not trusted (unable to get local issuer certificate); a private CA goes in EMAIL_SSL_CAFILE"
WRONG_HOST = "is not trusted (IP address mismatch, certificate is not valid for '127.0.0.1'.)"


@pytest.mark.parametrize(("scheme", "implicit", "cert_for", "trusted", "expected"), [
    ("smtp+tls", False, "127.0.0.1", False, UNKNOWN_CA),
    ("smtp+tls", False, "relay.example.org", True, WRONG_HOST),
    ("smtp+ssl", True, "127.0.0.1", False, UNKNOWN_CA),
    ("smtp+ssl", True, "relay.example.org", True, WRONG_HOST),
], ids=["starttls-unknown-ca", "starttls-wrong-host", "ssl-unknown-ca", "ssl-wrong-host"])
def test_a_relay_certificate_that_cannot_be_verified_is_refused_not_trusted_blindly(
        relays, mail_url, recipients, ca, settings, scheme, implicit, cert_for, trusted, expected):
    relay = relays(tls=_server_tls(ca, cert_for), implicit_tls=implicit, users={"alerts": PASSWORD})
    mail_url(f"{scheme}://alerts:{URL_PASSWORD}@127.0.0.1:{relay.port}")
    settings.EMAIL_SSL_CAFILE = str(ca.pem_path) if trusted else ""
    alert = _fire()
    assert relay.received == []
    alert.refresh_from_db()
    assert f"e-mail to ops@example.com: failed: the TLS certificate of 127.0.0.1:{relay.port} {expected}" \
        in alert.notify_error
    assert PASSWORD not in alert.notify_error


def test_a_refused_sender_is_recorded_and_shown_until_a_notice_goes_through(
        relays, mail_url, recipients, settings, staff_client):
    relay = relays()
    relay.refuse_sender = REFUSED_SENDER
    mail_url(f"smtp://127.0.0.1:{relay.port}")
    settings.DEFAULT_FROM_EMAIL = "webmaster@localhost"
    alert = _fire()
    alert.refresh_from_db()
    assert alert.notify_error == (f"e-mail to ops@example.com: refused: {REFUSED_SENDER}; "
                                  f"e-mail to boss@example.com: refused: {REFUSED_SENDER}")
    assert alert.notify_failed_at == alert.notified_at and alert.notice_failing
    page = staff_client.get("/tds-admin/alerts/").content.decode()
    # The dashboard shows every time in one format, its zone named.
    when = timezone.localtime(alert.notify_failed_at).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert f"{when}: e-mail to ops@example.com: refused: 553 5.7.1 &lt;webmaster@localhost&gt;: Sender" in page
    overview = staff_client.get("/tds-admin/", HTTP_HX_REQUEST="true").content.decode()
    assert "Alert notices are not getting through: the last one (dead_letters," in overview
    assert "refused: 553 5.7.1" in overview and "tds_alerts test-notify" in overview

    relay.refuse_sender = ""  # the sender fixed: the resolution notice goes through
    _clear()
    assert len(relay.received) == 2
    assert "not getting through" not in staff_client.get("/tds-admin/").content.decode()
    page = staff_client.get("/tds-admin/alerts/").content.decode()
    assert f"{when}: e-mail to ops@example.com: refused: 553" in page and "(later notices went through)" in page


def test_a_refused_recipient_does_not_hide_behind_the_accepted_ones(relays, mail_url, recipients, settings):
    settings.TDS_ALERT_EMAILS = ["ops@example.com", "gone@example.com", "boss@example.com"]
    relay = relays()
    relay.refuse_rcpt = {"gone@example.com": "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"}
    mail_url(f"smtp://127.0.0.1:{relay.port}")
    alert = _fire()
    assert sorted(m.rcpt_tos[0] for m in relay.received) == ["boss@example.com", "ops@example.com"]
    alert.refresh_from_db()
    assert alert.notify_error == ("e-mail to gone@example.com: refused: 550 5.1.1 <gone@example.com>: "
                                  "Recipient address rejected: User unknown")


def test_a_wrong_password_is_the_relays_refusal_and_never_printed(relays, mail_url, recipients, caplog):
    relay = relays(users={"alerts": "the-right-one"})
    mail_url(f"smtp://alerts:{URL_PASSWORD}@127.0.0.1:{relay.port}")
    with caplog.at_level(logging.DEBUG):
        alert = _fire()
    alert.refresh_from_db()
    assert alert.notify_error.startswith("e-mail to ops@example.com: refused: 535 5.7.8 Authentication credentials "
                                         "invalid")
    assert relay.received == [] and PASSWORD not in alert.notify_error + caplog.text


def test_a_dead_relay_costs_one_email_timeout_not_one_per_recipient(mail_url, recipients, settings):
    settings.TDS_ALERT_EMAILS = [f"ops{i}@example.com" for i in range(4)]
    settings.EMAIL_TIMEOUT = 1
    with socket.socket() as dead:  # takes connections (the kernel's backlog) and never says a word
        dead.bind(("127.0.0.1", 0))
        dead.listen(8)
        port = dead.getsockname()[1]
        mail_url(f"smtp://127.0.0.1:{port}")
        started = time.monotonic()
        alert = _fire()
        took = time.monotonic() - started
    assert took < 3.5  # four timeouts would be at least 4 s
    alert.refresh_from_db()
    assert alert.notify_error.split("; ") == [
        f"e-mail to ops{i}@example.com: failed: no answer from 127.0.0.1:{port} within 1 s (EMAIL_TIMEOUT)"
        for i in range(4)]


def test_no_relay_listening_is_one_clear_line(mail_url, recipients):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mail_url(f"smtp://127.0.0.1:{port}")
    alert = _fire()
    alert.refresh_from_db()
    assert alert.notify_error.startswith(f"e-mail to ops@example.com: failed: connection refused by 127.0.0.1:{port}")


def test_the_overview_asks_one_query_for_the_notice_line(relays, mail_url, recipients, django_assert_num_queries):
    from sync.selectors.pages import notice_failure

    relay = relays()
    relay.refuse_sender = REFUSED_SENDER
    mail_url(f"smtp://127.0.0.1:{relay.port}")
    _fire()
    with django_assert_num_queries(1):
        failure = notice_failure()
    assert failure is not None and failure["code"] == "dead_letters" and REFUSED_SENDER in failure["error"]
