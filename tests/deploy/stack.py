"""The shipped deploy files, run for real under a temporary directory.

deploy/render.py moves the host paths (/srv/tds, /run/tds, /etc/ssl/tds, /var/log/nginx) and the
listen addresses into the temporary directory; nginx runs the rendered site inside Debian's own
nginx.conf (so a directive Debian already sets would be caught), and gunicorn runs the ExecStart
line of the rendered tds-web@.service. Every process started here is ended by the caller's fixture.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "tds.conf"
WEB_UNIT = DEPLOY / "systemd" / "tds-web@.service"
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")


def need(binary: str, package: str) -> str:
    """The path of a Debian tool the check needs; skip (naming the package) where it is not installed."""
    for candidate in (shutil.which(binary), f"/usr/sbin/{binary}", f"/usr/bin/{binary}"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip(f"{binary} is not installed (apt-get install {package})")


def render(path: Path, **options: str) -> str:
    """deploy/render.py's output for ``path``, through its command line as an operator runs it."""
    flags = [arg for name, value in options.items() for arg in (f"--{name.replace('_', '-')}", value)]
    result = subprocess.run([sys.executable, str(DEPLOY / "render.py"), str(path), *flags],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Layout:
    """Where one rendered installation lives: base/{srv,run,tls,log,tmp}, nginx's config and ports."""

    base: Path
    https_port: int
    http_port: int

    @property
    def root(self) -> Path:
        return self.base / "srv"

    @property
    def run_dir(self) -> Path:
        return self.base / "run"

    @property
    def tls_dir(self) -> Path:
        return self.base / "tls"

    @property
    def log_dir(self) -> Path:
        return self.base / "log"

    @property
    def nginx_conf(self) -> Path:
        return self.base / "nginx.conf"

    @property
    def cert(self) -> Path:
        return self.tls_dir / "fullchain.pem"

    def url(self, path: str) -> str:
        return f"https://localhost:{self.https_port}{path}"

    def render_options(self) -> dict[str, str]:
        return {"root": str(self.root), "run_dir": str(self.run_dir), "tls_dir": str(self.tls_dir),
                "log_dir": str(self.log_dir), "server_name": "localhost",
                "https": f"127.0.0.1:{self.https_port}", "http": f"127.0.0.1:{self.http_port}"}


def layout_create(base: Path) -> Layout:
    """Directories, a self-signed certificate for localhost, the rendered site and nginx.conf."""
    layout = Layout(base, free_port(), free_port())
    for folder in (layout.root / "staticfiles", layout.root / "media", layout.run_dir, layout.tls_dir,
                   layout.log_dir, base / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([need("openssl", "openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(layout.tls_dir / "privkey.pem"), "-out", str(layout.cert)],
                   check=True, capture_output=True, timeout=60)
    site = base / "tds.conf"
    site.write_text(render(SITE, **layout.render_options()))
    layout.nginx_conf.write_text(main_conf(site, base))
    return layout


def main_conf(site: Path, base: Path) -> str:
    """Debian's /etc/nginx/nginx.conf with its machine-wide paths moved to ``base`` and the site included."""
    if not DEBIAN_NGINX_CONF.is_file():
        pytest.skip(f"{DEBIAN_NGINX_CONF} is missing (apt-get install nginx)")
    text = DEBIAN_NGINX_CONF.read_text()
    # Running as root, nginx's workers would otherwise drop to www-data, which cannot read the temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    temp_paths = "".join(f"\n\t{kind}_temp_path {base / 'tmp' / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    edits = [
        (r"(?m)^user\s+[^;]+;", user),
        (r"(?m)^pid\s+[^;]+;", f"pid {base / 'nginx.pid'};"),
        (r"(?m)^error_log\s+[^;]+;", f"error_log {base / 'log' / 'error.log'};"),
        (r"(?m)^(\s*)access_log\s+[^;]+;", rf"\1access_log {base / 'log' / 'access.log'};"),
        (r"(?m)^\s*include /etc/nginx/conf\.d/\*\.conf;", ""),
        (r"(?m)^(\s*)include /etc/nginx/sites-enabled/\*;", rf"\1include {site};"),
        (r"(?m)^http\s*\{", "http {" + temp_paths),
    ]
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text, count=1)
        assert count == 1, f"{DEBIAN_NGINX_CONF} has no line matching {pattern!r}"
    return text


def nginx_test(layout: Layout) -> subprocess.CompletedProcess:
    return subprocess.run([need("nginx", "nginx"), "-t", "-p", str(layout.base), "-c", str(layout.nginx_conf)],
                          capture_output=True, text=True, timeout=30)


def nginx_start(layout: Layout) -> subprocess.Popen:
    """nginx in the foreground (our child, ended by pid), answering on the layout's https port."""
    process = subprocess.Popen([need("nginx", "nginx"), "-p", str(layout.base), "-c", str(layout.nginx_conf),
                                "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port_wait(layout.https_port, process)
    return process


def port_wait(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}: {process.stdout.read() if process.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 30) -> str:
    """End one process we started (SIGTERM, then SIGKILL) and return what it printed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return process.stdout.read() if process.stdout else ""


# --- gunicorn as tds-web@N runs it ----------------------------------------------------------------------
def web_command(layout: Layout, instance: int) -> tuple[list[str], Path]:
    """ExecStart and WorkingDirectory of tds-web@<instance>, rendered for this checkout and layout."""
    unit = render(WEB_UNIT, root=str(ROOT), run_dir=str(layout.run_dir))
    fields = dict(re.findall(r"(?m)^(ExecStart|WorkingDirectory)=(.+)$", unit))
    command = shlex.split(fields["ExecStart"].replace("%i", str(instance)))
    return command, Path(fields["WorkingDirectory"])


def web_env(layout: Layout) -> dict[str, str]:
    """A production-like environment on a SQLite file: DEBUG off, a secret key, behind the proxy."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("TDS_", "ZOHO_", "DJANGO_", "GUNICORN_", "ODOO_"))
            and k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")}
    return {**keep, "DJANGO_SETTINGS_MODULE": "tds_site.settings", "SECRET_KEY": "deploy-test-" + "k" * 40,
            "DATABASE_URL": f"sqlite:///{layout.base / 'db.sqlite3'}", "ALLOWED_HOSTS": "localhost",
            "TDS_BEHIND_PROXY": "true", "ZOHO_SANDBOX": "true", "MEDIA_ROOT": str(layout.root / "media"),
            "STATIC_ROOT": str(layout.root / "staticfiles"), "TDS_LOGS_DIR": str(layout.log_dir),
            "WEB_CONCURRENCY": "1", "TDS_WEB_THREADS": "2"}


def web_start(layout: Layout, instance: int) -> subprocess.Popen:
    command, workdir = web_command(layout, instance)
    process = subprocess.Popen(command, cwd=workdir, env=web_env(layout), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    sock_path = layout.run_dir / f"web-{instance}.sock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}: {stop(process)}")
        if sock_path.exists():
            return process
        time.sleep(0.1)
    stop(process)
    raise AssertionError(f"gunicorn made no socket at {sock_path}")


def tls_context(layout: Layout) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(layout.cert))


def raw_request(layout: Layout, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` as it is over TLS; the answer's head and its Content-Length of body."""
    with socket.create_connection(("127.0.0.1", layout.https_port), timeout=timeout) as plain, \
            tls_context(layout).wrap_socket(plain, server_hostname="localhost") as sock:
        sock.sendall(data)
        answer = b""
        while True:
            head, found, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head) if found else None
            if length and len(body) >= int(length[1]):
                return answer
            try:
                chunk = sock.recv(65536)
            except (ssl.SSLError, ConnectionResetError):
                return answer
            if not chunk:
                return answer
            answer += chunk


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def socket_inodes(pids: list[int]) -> set[str]:
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    return inodes


def tcp_listening_inodes() -> set[str]:
    """Inodes of every listening TCP socket on the machine (IPv4 and IPv6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                inodes.add(fields[9])
    return inodes


def unix_socket_paths(inodes: set[str]) -> set[str]:
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[6] in inodes:
            paths.add(fields[7])
    return paths
