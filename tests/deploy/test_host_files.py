"""The rest of what a host installs: the tmpfiles.d directories, the logrotate file, gunicorn's default
address, product images nginx can read, and a .env.example that works as systemd's EnvironmentFile."""
from __future__ import annotations

import grp
import os
import pwd
import re
import runpy
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from tds_site.media_storage import AtomicFileSystemStorage
from tests.deploy import commands, stack


def _me() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def test_tmpfiles_creates_the_socket_log_and_media_directories(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("systemd-tmpfiles hands /run/tds to www-data's group: needs root")
    grp.getgrnam("www-data")  # Debian's base-passwd always has it
    conf = tmp_path / "tds.conf"
    conf.write_text(stack.render(stack.DEPLOY / "tmpfiles.d" / "tds.conf", root=str(tmp_path / "srv"),
                                 run_dir=str(tmp_path / "run"), user=_me()))
    result = subprocess.run([stack.need("systemd-tmpfiles", "systemd"), "--create", str(conf)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    expected = {"run": (0o750, "www-data"), "srv/media": (0o755, _me()), "srv/logs": (0o750, _me()),
                "srv/staticfiles": (0o755, _me())}
    for relative, (mode, group) in expected.items():
        info = (tmp_path / relative).stat()
        assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == mode, relative
        assert (pwd.getpwuid(info.st_uid).pw_name, grp.getgrgid(info.st_gid).gr_name) == (_me(), group), relative


def test_logrotate_rotates_what_tds_does_not_rotate_itself(tmp_path: Path) -> None:
    logs = tmp_path / "srv" / "logs"
    logs.mkdir(parents=True)
    files = {name: f"{name} line\n" * 20 for name in
             ("tds_auto_sync_summary.txt", "cron_tds_sync.log", "tds_auto_sync.log", "tds_auto_sync.log.1")}
    for name, text in files.items():
        (logs / name).write_text(text)
    conf = tmp_path / "tds-logrotate"
    conf.write_text(stack.render(stack.DEPLOY / "logrotate" / "tds", root=str(tmp_path / "srv"), user=_me()))
    result = subprocess.run([stack.need("logrotate", "logrotate"), "--force", "--verbose", "--state",
                             str(tmp_path / "state"), str(conf)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("tds_auto_sync_summary.txt", "cron_tds_sync.log"):
        assert (logs / f"{name}.1").read_text() == files[name]  # delaycompress: the newest stays plain
        assert (logs / name).read_text() == ""                   # a fresh file for the next writes
    # RotatingFileHandler's own files are not touched.
    assert (logs / "tds_auto_sync.log").read_text() == files["tds_auto_sync.log"]
    assert (logs / "tds_auto_sync.log.1").read_text() == files["tds_auto_sync.log.1"]
    assert not list(logs.glob("tds_auto_sync.log.2*"))


def _gunicorn_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    monkeypatch.delenv("TDS_WEB_BIND", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(stack.ROOT / "tds_site" / "gunicorn.conf.py"))


def test_gunicorn_binds_loopback_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _gunicorn_conf(monkeypatch)["bind"] == "127.0.0.1:8000"
    assert _gunicorn_conf(monkeypatch, TDS_WEB_BIND="unix:/run/tds/web-3.sock")["bind"] == "unix:/run/tds/web-3.sock"
    conf = _gunicorn_conf(monkeypatch)
    from django.utils.module_loading import import_string
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(import_string(conf["worker_class"]), ThreadWorker) and conf["limit_request_line"] == 4094


def test_product_images_are_readable_by_the_web_server(tmp_path: Path) -> None:
    # nginx serves MEDIA_ROOT as another user; mkstemp alone would leave every image 0600.
    old = os.umask(0o027)
    storage = AtomicFileSystemStorage(location=tmp_path)
    try:
        storage.save("products/item_1_chair-0123456789.png", ContentFile(b"png"))
        storage.save("products/thumbs/item_1_chair-0123456789.webp", ContentFile(b"webp"))
    finally:
        os.umask(old)
    for path in (tmp_path / "products").rglob("item_*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


ENV_LINE = re.compile(r"[A-Z][A-Z0-9_]*=[^\s#\"'$`\\]*")


def test_env_example_works_as_a_systemd_environment_file() -> None:
    # The units read .env with EnvironmentFile=, which keeps everything after "=" (an inline comment
    # would become part of the value); settings.py reads the same file with django-environ.
    lines = (stack.ROOT / ".env.example").read_text().splitlines()
    active = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert active and all(ENV_LINE.fullmatch(line) for line in active), \
        [line for line in active if not ENV_LINE.fullmatch(line)]
    named = {line.split("=", 1)[0] for line in active} | {
        m[1] for m in re.finditer(r"(?m)^#\s*([A-Z][A-Z0-9_]*)=", "\n".join(lines))}
    assert named <= commands.settings_read(), named - commands.settings_read()
