"""Starting the real gunicorn with the project's config (tds_site/gunicorn.conf.py) for a test."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_env(**extra: str) -> dict[str, str]:
    """A fresh checkout's environment (SQLite, no project variables) with `extra` on top."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TDS_", "ZOHO_", "DJANGO_", "GUNICORN_"))
           and k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")}
    return {**env, "DJANGO_SETTINGS_MODULE": "tds_site.settings", "ZOHO_SANDBOX": "true", "WEB_CONCURRENCY": "1",
            **extra}


def gunicorn(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([GUNICORN, "-c", "tds_site/gunicorn.conf.py", "--no-control-socket", "--bind",
                             f"127.0.0.1:{port}", "tds_site.wsgi:application"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_listening(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.communicate()[0]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not listen")


def raw_request(port: int, data: bytes) -> bytes:
    """Send bytes as they are (no HTTP library would send a malformed request) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer
