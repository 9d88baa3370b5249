"""The login lock-out's client address: whatever X-Forwarded-For holds, an IP address or None, never a 500."""
from __future__ import annotations

import pytest
from django.test import RequestFactory

from tds_site.client_ip import client_ip

# (right-most X-Forwarded-For entry, the address counted): junk falls back to the connection's own.
FORWARDED = [
    ("203.0.113.7", "203.0.113.7"), (" 203.0.113.7 ", "203.0.113.7"), ("203.0.113.7:51234", "203.0.113.7"),
    ("2001:db8::1", "2001:db8::1"), ("[2001:db8::1]:443", "2001:db8::1"), ("fe80::1%eth0", "fe80::1"),
    ("not-an-ip", "10.0.0.1"), ("", "10.0.0.1"), ("unknown", "10.0.0.1"), ("1.2.3.4.5", "10.0.0.1"),
    ("999.1.1.1", "10.0.0.1"), ("\x00", "10.0.0.1"), ("x" * 5000, "10.0.0.1"), ("[::1", "::1"),
    ("_hidden", "10.0.0.1"), ("1.2.3.4, junk", "10.0.0.1"), ("junk, 1.2.3.4", "1.2.3.4"),
]


@pytest.mark.parametrize("forwarded,counted", FORWARDED)
def test_behind_the_proxy_the_address_is_the_last_entry_or_the_connections(settings, forwarded, counted) -> None:
    settings.TDS_BEHIND_PROXY = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == counted


def test_without_any_address_the_answer_is_none(settings) -> None:
    settings.TDS_BEHIND_PROXY = True
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="junk")) is None
    settings.TDS_BEHIND_PROXY = False
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="not-an-ip")) is None


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", [f for f, _ in FORWARDED])
def test_a_login_with_any_forwarded_header_is_answered_and_counted(client, settings, forwarded) -> None:
    from axes.models import AccessAttempt

    settings.TDS_BEHIND_PROXY = True
    client.raise_request_exception = False
    answer = client.post("/admin/login/?next=/admin/", {"username": "nobody", "password": "wrong"},
                         HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")
    assert answer.status_code == 200 and "Please enter the correct username" in answer.content.decode()
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [dict(FORWARDED)[forwarded]]
