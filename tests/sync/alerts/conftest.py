"""Alert notices over real SMTP and HTTP: the relay, the webhook receiver, the mail settings."""
from __future__ import annotations

import pytest


# --- alert notices over real SMTP and HTTP (tests/sync/alerts/servers.py) -------------------------------
@pytest.fixture
def ca(tmp_path):
    """A test CA; its certificate as a PEM file at ``ca.pem_path`` (what EMAIL_SSL_CAFILE names)."""
    import trustme

    authority = trustme.CA()
    authority.pem_path = tmp_path / "relay-ca.pem"
    authority.cert_pem.write_to_path(str(authority.pem_path))
    return authority


@pytest.fixture
def relays():
    """relays(tls=, implicit_tls=, users=) -> a started Relay; all stopped after the test."""
    from tests.sync.alerts.servers import Relay

    started = []

    def make(**options):
        relay = Relay(**options)
        started.append(relay)
        return relay

    yield make
    for relay in started:
        relay.stop()


@pytest.fixture
def hook():
    from tests.sync.alerts.servers import Receiver

    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def mail_url(settings, monkeypatch):
    """mail_url("smtp+tls://...") -> the mail settings settings.py makes of that EMAIL_URL (the same reader)."""
    from tds_site.mail_env import PARTS, mail_from_env

    def use(url: str):
        monkeypatch.setenv("EMAIL_URL", url)
        for name in PARTS:
            monkeypatch.delenv(name, raising=False)
        mail = mail_from_env()
        settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = mail.backend, mail.host, mail.port
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = mail.user, mail.password
        settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = mail.use_tls, mail.use_ssl
        settings.TDS_EMAIL_SOURCE = mail.source
        return mail

    return use
