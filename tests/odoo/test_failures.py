"""Every failure is one clear line on stderr and a non-zero exit, never a traceback."""
from __future__ import annotations

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from odoo.fake.pytest_plugin import point_settings
from sync.models import SyncRun

pytestmark = pytest.mark.django_db(transaction=True)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The command as a shell runs it: (exit code, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "tds_odoo_sync", *args])
    return int(exit_info.value.code), capsys.readouterr().err


def assert_one_line(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip() and " WARNING " not in line and " INFO " not in line
             and " ERROR " not in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture(params=[17, 19], ids=["xmlrpc", "json2"])
def version(request: pytest.FixtureRequest) -> int:
    return request.param


def test_bad_credentials(mirror, odoo_fake_factory, settings, capsys, version):
    point_settings(settings, odoo_fake_factory(version=version))
    settings.ODOO_API_KEY = "wrong-key"
    code, err = run_cli(capsys, "--once")
    assert code == 1
    assert_one_line(err, "Odoo refused", "ODOO_API_KEY")
    assert SyncRun.objects.get(run_type="odoo").status == "failed"


def test_wrong_database(mirror, odoo_fake_factory, settings, capsys, version):
    point_settings(settings, odoo_fake_factory(version=version))
    settings.ODOO_DB = "no_such_db"
    code, err = run_cli(capsys, "--once")
    assert code == 1
    assert_one_line(err, "Odoo has no database 'no_such_db'", "ODOO_DB")


def test_wrong_company_currency_is_refused_before_anything_is_written(mirror, odoo_fake_factory, settings, capsys,
                                                                       version):
    odoo = odoo_fake_factory(version=version, currency="USD")
    point_settings(settings, odoo)
    code, err = run_cli(capsys, "--once")
    assert code == 1
    assert_one_line(err, "company currency is USD, not IQD")
    assert odoo.app.counters()["write_calls"] == 0


def test_odoo_not_reachable(mirror, settings, capsys):
    settings.ODOO_URL, settings.ODOO_DB, settings.ODOO_USERNAME, settings.ODOO_API_KEY = (
        "http://127.0.0.1:9", "tsh", "admin", "key")
    code, err = run_cli(capsys, "--once")
    assert code == 1
    assert_one_line(err, "cannot reach Odoo", "connection refused")


def test_not_configured(settings, capsys):
    settings.ODOO_URL = ""
    code, err = run_cli(capsys, "--once")
    assert code == 1
    assert_one_line(err, "Odoo is not configured: set ODOO_URL")


@pytest.mark.parametrize(("args", "message"), [
    (["--interval", "30"], "--interval must be at least 60 seconds, got 30"),
    (["--once", "--rate", "abc"], "--rate must be a number"),
    (["--once", "--rate", "0"], "--rate must be greater than 0"),
])
def test_bad_options(capsys, args, message):
    code, err = run_cli(capsys, *args)
    assert code == 1
    assert_one_line(err, message)


def test_a_second_sync_while_one_runs_is_refused(odoo_settings):
    from odoo.engine import ODOO_SYNC
    from sync.schedules import schedule_lock

    with schedule_lock(ODOO_SYNC) as acquired:
        assert acquired
        with pytest.raises(CommandError, match="another Odoo sync is running"):
            call_command("tds_odoo_sync", "--once")


def test_rate_option_converts_at_that_rate(mirror, odoo_settings, odoo_fake, capsys):
    from sync.models import Product
    from tests.odoo.helpers import by_sku, iqd

    call_command("tds_odoo_sync", "--once", "--rate", "1310")
    product = Product.objects.exclude(unit_price=None).first()
    assert by_sku(odoo_fake)[product.sku]["list_price"] == iqd(product.unit_price, rate=1310)
