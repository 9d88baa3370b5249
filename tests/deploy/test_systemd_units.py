"""deploy/systemd/: `systemd-analyze verify` accepts every unit, each service runs a real TDS command,
stops gently, is hardened like the others, and the web sockets are the ones nginx and tmpfiles expect."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy import commands, stack

UNITS = stack.DEPLOY / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
LONG_RUNNING = ("tds-web@.service", "tds-worker@.service", "tds-scheduler.service", "tds-odoo-sync.service")
HARDENING = ("NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectSystem", "ProtectHome", "ProtectKernelTunables",
             "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
             "RestrictAddressFamilies", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
             "LockPersonality", "SystemCallArchitectures", "CapabilityBoundingSet")


def _settings(path: Path) -> dict[str, str]:
    """The unit's `Key=value` lines (the last one wins, as in systemd for these keys)."""
    return dict(re.findall(r"(?m)^([A-Za-z]+)=(.*)$", path.read_text()))


def _verify(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([stack.need("systemd-analyze", "systemd"), "verify", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_the_units_are_all_there() -> None:
    names = {path.name for path in UNITS.iterdir()}
    assert {"tds-web@.service", "tds-worker@.service", "tds-scheduler.service", "tds-odoo-sync.service",
            "tds-retention.service", "tds-retention.timer", "tds.target"} <= names


def test_systemd_analyze_verifies_every_unit(tmp_path: Path) -> None:
    # The units name /srv/tds/.venv/bin/...: verify checks that ExecStart exists, so they are rendered
    # for a checkout under tmp_path whose interpreter and gunicorn are this test run's own.
    root = tmp_path / "srv"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (root / ".venv" / "bin" / "gunicorn").symlink_to(Path(sys.executable).with_name("gunicorn"))
    (root / ".env").write_text("SECRET_KEY=x\n")
    rendered = []
    for unit in sorted(UNITS.iterdir()):
        copy = tmp_path / unit.name
        copy.write_text(stack.render(unit, root=str(root)))
        rendered.append(copy)
    result = _verify(rendered)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def test_verify_reads_the_shipped_units_and_misses_only_the_checkout() -> None:
    # The shipped files as they are: the one complaint is that /srv/tds is not installed here.
    result = _verify(sorted(UNITS.iterdir()))
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0 and complaints
    for line in complaints:
        assert re.fullmatch(r"\S+: Command /srv/tds/\.venv/bin/(python|gunicorn) is not executable: "
                            r"No such file or directory", line), line


@pytest.mark.parametrize("unit", SERVICES, ids=lambda path: path.name)
def test_every_service_runs_a_real_tds_command_as_the_tds_user(unit: Path) -> None:
    settings = _settings(unit)
    argv = settings["ExecStart"].replace("%i", "1").split()
    assert argv[0].startswith("/srv/tds/.venv/bin/")
    argv[0] = Path(argv[0]).name
    commands.check(argv)
    assert (settings["User"], settings["Group"], settings["WorkingDirectory"]) == ("tds", "tds", "/srv/tds")
    assert settings["EnvironmentFile"] == "/srv/tds/.env"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_stop_gently_and_come_back(name: str) -> None:
    settings = _settings(UNITS / name)
    # SIGTERM to the main process only: gunicorn's master and django-q2's cluster let their workers
    # finish; systemd's default would signal the workers too, and a django-q2 worker dies mid-task.
    assert (settings["KillMode"], settings["KillSignal"]) == ("mixed", "SIGTERM")
    assert int(settings["TimeoutStopSec"]) >= 30
    assert settings["Restart"] in ("always", "on-failure")
    assert settings["PartOf"] == "tds.target" and "WantedBy=tds.target" in (UNITS / name).read_text()


def test_worker_clusters_get_longer_to_stop_than_the_web() -> None:
    web = int(_settings(UNITS / "tds-web@.service")["TimeoutStopSec"])
    assert web > 30  # gunicorn's graceful_timeout
    for name in ("tds-worker@.service", "tds-scheduler.service"):
        assert int(_settings(UNITS / name)["TimeoutStopSec"]) > web


@pytest.mark.parametrize("unit", SERVICES, ids=lambda path: path.name)
def test_every_service_is_hardened_alike(unit: Path) -> None:
    reference = _settings(UNITS / "tds-worker@.service")
    settings = _settings(unit)
    assert {key: settings.get(key) for key in HARDENING} == {key: reference[key] for key in HARDENING}
    assert (reference["NoNewPrivileges"], reference["ProtectSystem"]) == ("true", "strict")
    writable = settings["ReadWritePaths"].split()
    assert {"/srv/tds/media", "/srv/tds/logs"} <= set(writable)
    assert ("/run/tds" in writable) == (unit.name == "tds-web@.service")


def test_the_retention_timer_runs_its_service_daily() -> None:
    timer = _settings(UNITS / "tds-retention.timer")
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"]) and timer["Persistent"] == "true"
    service = _settings(UNITS / "tds-retention.service")
    assert service["Type"] == "oneshot" and "Restart" not in service
    assert service["ExecStart"].endswith("manage.py tds_retention")


def test_each_web_instance_has_its_own_socket_and_nginx_knows_them() -> None:
    exec_start = _settings(UNITS / "tds-web@.service")["ExecStart"].split()
    assert commands.gunicorn_check(["gunicorn", *exec_start[1:]]) == ["unix:/run/tds/web-%i.sock"]
    assert exec_start[exec_start.index("--control-socket") + 1] == "/run/tds/web-%i.ctl"
    upstream = re.findall(r"server unix:(/run/tds/web-(\d+)\.sock)", stack.SITE.read_text())
    assert [int(n) for _, n in upstream] == list(range(1, len(upstream) + 1)) and len(upstream) >= 2
    tmpfiles = (stack.DEPLOY / "tmpfiles.d" / "tds.conf").read_text()
    assert re.search(r"(?m)^d\s+/run/tds\s+0750\s+tds\s+www-data\s", tmpfiles)
