"""docker-compose.yml and the Dockerfile, read rather than run (Docker cannot run here): every TDS service
runs a real manage.py command or gunicorn with the project's config, sets only variables TDS reads,
and the nginx service gets the shipped site with every path it reads mounted from the web services."""
from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

import pytest
import yaml

from tests.deploy import commands, stack

COMPOSE = stack.ROOT / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _tds_services() -> dict[str, dict[str, Any]]:
    """The services built from this repository's Dockerfile."""
    return {name: service for name, service in _compose()["services"].items() if service.get("build") == "."}


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """container path -> volume name or host path, without the :ro suffix."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = re.sub(r":(ro|rw)$", "", volume).rsplit(":", 1)
        mounts[target] = source
    return mounts


def test_compose_runs_migrate_web_nginx_and_workers() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "web-1", "web-2", "nginx", "tds-worker"} <= set(services)
    assert "ports" not in services["web-1"] and "ports" not in services["web-2"]  # only nginx is published
    assert services["nginx"]["ports"] == ["80:80", "443:443"]


@pytest.mark.parametrize("name", sorted(_tds_services()))
def test_every_tds_service_runs_a_real_command(name: str) -> None:
    service = _tds_services()[name]
    ran = [commands.check(argv) for argv in commands.command_lines(service["command"])]
    assert ran, name
    if name.startswith("web-"):
        assert ran == ["gunicorn"]
    if name == "migrate":
        assert ran == ["migrate", "collectstatic"]


@pytest.mark.parametrize("name", sorted(_tds_services()))
def test_every_variable_a_service_sets_is_one_tds_reads(name: str) -> None:
    environment = _tds_services()[name]["environment"]
    assert set(environment) <= commands.settings_read(), set(environment) - commands.settings_read()
    assert environment["TDS_BEHIND_PROXY"] == "true"  # nginx is in front


def test_the_web_services_bind_the_sockets_of_the_nginx_upstream() -> None:
    services = _tds_services()
    upstream = re.findall(r"server (unix:/run/tds/web-\d+\.sock)", stack.SITE.read_text())
    binds = sorted(service["environment"]["TDS_WEB_BIND"] for name, service in services.items()
                   if name.startswith("web-"))
    assert binds == sorted(upstream)
    for name, service in services.items():
        if name.startswith("web-"):
            assert _mounts(service)["/run/tds"] == "run"


def test_nginx_gets_the_shipped_site_and_every_path_it_reads() -> None:
    services = _compose()["services"]
    nginx = _mounts(services["nginx"])
    assert nginx["/etc/nginx/conf.d/default.conf"] == "./deploy/nginx/tds.conf"
    web = services["web-1"]
    web_mounts, env = _mounts(web), web["environment"]
    site = stack.SITE.read_text()
    # Each directory the site reads, and the web-side path TDS writes it at.
    for site_dir, tds_dir in (("/srv/tds/staticfiles", env["STATIC_ROOT"]), ("/srv/tds/media", env["MEDIA_ROOT"]),
                              ("/run/tds", str(PurePosixPath(env["TDS_WEB_BIND"].removeprefix("unix:")).parent))):
        assert site_dir in site
        assert nginx[site_dir] == web_mounts[tds_dir], site_dir
    # And nothing the site reads from disk (certificate, files, sockets) lies outside nginx's mounts.
    read = re.findall(r"(?:alias|ssl_certificate|ssl_certificate_key)\s+(/[^;\s]+);", site)
    read += re.findall(r"server unix:(/[^;\s]+)", site)
    assert len(read) >= 6
    for path in read:
        assert any(path.startswith(mount.rstrip("/") + "/") for mount in nginx), path
    assert nginx["/etc/ssl/tds"] == "${TDS_TLS_DIR:-./tls}"


def test_the_image_runs_gunicorn_with_the_project_config() -> None:
    dockerfile = (stack.ROOT / "Dockerfile").read_text()
    [cmd] = re.findall(r"(?m)^CMD (\[.*\])$", dockerfile)
    ran = [commands.check(argv) for argv in commands.command_lines(json.loads(cmd))]
    assert ran == ["collectstatic", "gunicorn"]
    # The image's address comes from the environment the config reads; compose replaces it with sockets.
    assert re.search(r"(?m)^ENV TDS_WEB_BIND=0\.0\.0\.0:8000$", dockerfile)
    assert "/run/tds" in dockerfile  # the socket directory exists, owned by the image's user


def test_secrets_stay_out_of_the_image_and_the_repository() -> None:
    # `COPY . .` would otherwise bake .env and nginx's private key (./tls, mounted by compose) into it.
    ignored = (stack.ROOT / ".dockerignore").read_text().split()
    assert {".env", "tls/", ".venv", "db.sqlite3"} <= set(ignored)
    assert "tls/" in (stack.ROOT / ".gitignore").read_text().split()
