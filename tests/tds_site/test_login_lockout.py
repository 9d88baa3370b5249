"""Admin logins lock after repeated failures (django-axes); `axes_reset` lifts the lock."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from tds_site.client_ip import client_ip

LOGIN = "/admin/login/"
PASSWORD = "the-right-password-42"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_user("boss", "boss@example.com", PASSWORD, is_staff=True,
                                                 is_superuser=True)


def login(client, password: str, *, username: str = "boss", **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_is_refused_until_axes_reset(client, admin_user) -> None:
    answers = [login(client, f"wrong-{n}").status_code for n in range(30)]
    assert answers[:4] == [200] * 4 and set(answers[5:]) == {429}  # the form again, then the lock-out page

    locked = login(client, PASSWORD)
    assert locked.status_code == 429 and not logged_in(client)
    page = locked.content.decode()
    assert "Login temporarily locked" in page and "axes_reset" in page and "Traceback" not in page

    call_command("axes_reset", verbosity=0)
    assert login(client, PASSWORD).status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_the_lock_is_per_address_and_visible_in_the_admin(client, admin_user, django_user_model) -> None:
    for n in range(5):
        login(client, f"wrong-{n}", username="someone-else", REMOTE_ADDR="10.0.0.9")
    assert login(client, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 429  # that address, any user
    assert login(client, PASSWORD, REMOTE_ADDR="10.0.0.10").status_code == 302  # another address is not locked

    attempts = client.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "10.0.0.9" in attempts.content.decode()


@pytest.mark.django_db
def test_the_tds_admin_pages_use_the_same_locked_login(client, admin_user) -> None:
    assert client.get("/tds-admin/")["Location"].startswith(LOGIN)
    for n in range(5):
        login(client, f"wrong-{n}")
    assert login(client, PASSWORD).status_code == 429
    call_command("axes_reset_username", "boss", verbosity=0)
    call_command("axes_reset_ip", "127.0.0.1", verbosity=0)
    assert login(client, PASSWORD).status_code == 302 and client.get("/tds-admin/").status_code == 200


def test_client_ip_behind_the_proxy_is_the_address_nginx_saw(settings) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TDS_BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.1"
    settings.TDS_BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"
