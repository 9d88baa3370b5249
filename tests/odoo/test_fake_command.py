"""manage.py odoo_fake serves the fake Odoo in the foreground until SIGTERM."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_odoo_fake_command_serves_the_chosen_profile():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "manage.py", "odoo_fake", "--port", str(port), "--version", "17",
                             "--db", "acme", "--login", "bot", "--password", "pw1", "--api-key", "k1",
                             "--currency", "iqd"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = [proc.stdout.readline() for _ in range(7)]
        assert f"Fake Odoo 17.0 serving at http://127.0.0.1:{port} (XML-RPC and JSON-RPC)" in banner[0]
        assert [line.split() for line in banner[1:6]] == [
            ["URL", f"http://127.0.0.1:{port}"], ["database", "acme"], ["login", "bot"], ["password", "pw1"],
            ["API", "key", "k1"]]
        common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
        assert common.version()["server_version"] == "17.0"
        assert common.authenticate("acme", "bot", "k1", {}) == 2
        assert common.authenticate("acme", "bot", "pw1", {}) == 2
        assert common.authenticate("acme", "bot", "admin", {}) is False
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "Fake Odoo stopped." in out and "Traceback" not in err
