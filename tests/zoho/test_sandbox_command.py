"""`manage.py zoho_sandbox` serves in the foreground and stops cleanly on SIGTERM."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_serves_and_stops_on_sigterm() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tds_site.test_settings", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "manage.py", "zoho_sandbox", "--port", "0", "--items", "30"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = [process.stdout.readline() for _ in range(6)]
        url = re.search(r"http://127\.0\.0\.1:\d+", banner[0]).group(0)
        answer = requests.get(f"{url}/inventory/v1/organizations", timeout=5)
        assert answer.status_code == 401 and answer.json()["code"] == 14
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0 and "Zoho sandbox stopped." in output
    text = "".join(banner)
    assert "sandbox-secret" in text and "organization id 10234695" in text and "control API" in banner[-1]
