"""Shared fixtures. Sandbox fixtures come from zoho.sandbox.pytest_plugin."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

pytest_plugins = ["zoho.sandbox.pytest_plugin", "odoo.fake.pytest_plugin", "tests.fuzzing"]

# Input fuzzing (tests/fuzzing.py): a bounded run in the normal suite, a long one on demand with
# `pytest --hypothesis-profile=long`. No example database: nothing is written under the checkout.
_FUZZ = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
hypothesis_settings.register_profile("tds", max_examples=15, **_FUZZ)
hypothesis_settings.register_profile("long", max_examples=1000, **_FUZZ)
hypothesis_settings.load_profile("tds")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    skip_redis = pytest.mark.skip(reason="needs REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)
    # The long scenarios first (a stable sort): handed out first, they run beside the rest instead of
    # leaving one test process working alone at the end.
    items.sort(key=lambda item: 0 if "slow" in item.keywords else 1)


@pytest.fixture(autouse=True)
def _fresh_tunables():
    """Run-time tunables (and the budget's mirror counts) are cached briefly: a rolled-back test must not
    leak its rows."""
    from sync.budget.estimate import estimate_forget
    from sync.config import config_clear_cache

    config_clear_cache()
    estimate_forget()
    yield
    config_clear_cache()
    estimate_forget()


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def login(db, django_user_model):
    """login(name, superuser=, operator=, perm=) -> a Client logged in as a staff user of that kind:
    a superuser, a member of the "TDS operators" group, a holder of change_configuration, or none."""
    from django.contrib.auth.models import Group, Permission
    from django.test import Client

    from sync.config.access import OPERATORS_GROUP

    def make(name: str, *, superuser: bool = False, operator: bool = False, perm: bool = False) -> Client:
        user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True,
                                                     is_superuser=superuser)
        if operator:
            user.groups.add(Group.objects.get(name=OPERATORS_GROUP))
        if perm:
            user.user_permissions.add(Permission.objects.get(codename="change_configuration"))
        client = Client()
        client.force_login(user)
        return client

    return make
