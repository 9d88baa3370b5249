"""The production topology on loopback, started from the files in deploy/, for the soak (bench/soak.py).

    .venv/bin/python bench/stack.py [--minutes 5]    # start it, print the addresses, stop it after M minutes

What runs, each a process of its own that this module started and ends (by process group):

- PostgreSQL: a cluster of its own (initdb under the stack's temporary folder, its own port), so a
  fault can stop and start it without touching the machine's server;
- Redis: its own server on its own port, no persistence (the cache and the task broker);
- nginx: deploy/nginx/tds.conf rendered by deploy/render.py inside Debian's nginx.conf, with a
  self-signed certificate for localhost (tests/deploy/stack.py builds that layout);
- two gunicorn instances: the ExecStart of deploy/systemd/tds-web@.service, on the unix sockets
  nginx's upstream names;
- three worker clusters: the ExecStart of tds-worker@.service (``manage.py qcluster``), standing
  for three machines, and the scheduler (tds-scheduler.service);
- the Zoho sandbox (in the caller's process) and an SMTP server receiving the alert mail.

A crashed service is restarted as systemd would (Restart= and RestartSec= of its unit) by
``restart_later``; the faults of the soak use ``kill``, ``postgres_restart`` and ``redis_restart``.
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deploy import stack as deploy  # noqa: E402

UNITS = ROOT / "deploy" / "systemd"
SECRET = "soak-webhook-secret-0123456789abcdef"
SECRET_KEY = "soak-only-throwaway-key-" + "s3cr3t-" * 8
ALERT_TO = "ops@example.com"
PG_SHARED = "pg-shared"  # PostgreSQL's shared memory (shared buffers): bounded by configuration, not judged


def unit_field(unit: str, name: str) -> str:
    """A field of a shipped unit (RestartSec, ExecStart ...), rendered for this checkout."""
    text = deploy.render(UNITS / unit, root=str(ROOT))
    match = re.search(rf"(?m)^{name}=(.+)$", text)
    if match is None:
        raise SystemExit(f"{unit} has no {name}=")
    return match[1].strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(check: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not come up in {timeout:.0f} s")


def rss_mb(pid: int, field: str = "Pss") -> float:
    """Memory of a process and its descendants, as proportional set size: pages shared between them
    (PostgreSQL's shared buffers, a forked worker's copy of Django) count once, not once per process.
    ``field`` names another line of smaps_rollup (``Pss_Shmem``: the shared memory part)."""
    total = 0
    for member in deploy.process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


@dataclass
class Service:
    """One supervised process (a process group: a qcluster's workers go with it)."""

    name: str
    command: list[str]
    env: dict[str, str]
    restart_sec: float
    log: Path
    process: subprocess.Popen | None = None
    restarts: int = 0

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:  # gunicorn lets a kept-alive connection linger up to its graceful timeout: no need at the end
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Stack:
    base: Path
    items: int = 2000
    web_instances: tuple[int, ...] = (1, 2)
    workers: int = 3
    sandbox: Any = None
    services: dict[str, Service] = field(default_factory=dict)
    layout: deploy.Layout | None = None
    nginx: subprocess.Popen | None = None
    pg_port: int = 0
    redis_port: int = 0
    mails: list[Any] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    _smtp: Any = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    # --- addresses ------------------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/tds"

    @property
    def webhook_url(self) -> str:
        assert self.layout is not None
        return self.layout.url("/api/webhooks/zoho")

    def env(self) -> dict[str, str]:
        # The caller's settings stay out (the stack has its own); the benchmark profiler's folder stays in.
        keep = {k: v for k, v in os.environ.items()
                if k == "TDS_BENCH_PROFILE" or (
                    not k.startswith(("TDS_", "ZOHO_", "DJANGO_", "GUNICORN_", "ODOO_", "EMAIL_"))
                    and k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY"))}
        assert self.layout is not None and self.sandbox is not None
        return {**keep, "DJANGO_SETTINGS_MODULE": "tds_site.settings", "SECRET_KEY": SECRET_KEY, "DEBUG": "false",
                "DATABASE_URL": self.database_url, "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "ALLOWED_HOSTS": "localhost,127.0.0.1", "TDS_BEHIND_PROXY": "true",
                "ZOHO_SANDBOX": "true", "ZOHO_ACCOUNTS_URL": self.sandbox.url, "ZOHO_WEBHOOK_SECRET": SECRET,
                "ZOHO_WEBHOOK_AUTH": "hmac", "ZOHO_RATE_LIMIT_PER_MINUTE": "100",
                "MEDIA_ROOT": str(self.layout.root / "media"), "STATIC_ROOT": str(self.layout.root / "staticfiles"),
                "TDS_LOGS_DIR": str(self.layout.log_dir), "TDS_LOG_LEVEL": "WARNING", "TDS_MANIFEST_STATIC": "false",
                "WEB_CONCURRENCY": "1", "TDS_WEB_THREADS": "4", "TDS_WORKER_COUNT": "2",
                "EMAIL_URL": f"smtp://127.0.0.1:{self._smtp.port}" if self._smtp else "",
                "TDS_ALERT_EMAILS": ALERT_TO, "PYTHONUNBUFFERED": "1"}

    # --- PostgreSQL -----------------------------------------------------------------------------------
    def _pg(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        [bin_dir] = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:] or [""]
        command = [str(Path(bin_dir) / tool) if bin_dir else tool, *args]
        if os.geteuid() == 0:  # the server refuses to run as root: its own files belong to postgres
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def postgres_start(self) -> None:
        data = self.base / "pg"
        if not data.exists():
            data.mkdir()
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            self._pg("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
            self.pg_port = free_port()
        options = (f"-p {self.pg_port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   f"-c fsync=on -c shared_buffers=128MB")
        self._pg("pg_ctl", "-D", str(data), "-l", str(data / "server.log"), "-o", options, "-w", "start")

    def postgres_stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.base / "pg"), "-m", "fast", "-w", "stop", check=False)

    def postgres_restart(self, down: float) -> None:
        self.postgres_stop()
        time.sleep(down)
        self.postgres_start()

    # --- Redis ----------------------------------------------------------------------------------------
    def redis_start(self) -> None:
        if not self.redis_port:
            self.redis_port = free_port()
        service = self.services.get("redis") or Service(
            "redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no", "--dir", str(self.base)], dict(os.environ), 1, self.base / "redis.log")
        self.services["redis"] = service
        service.start()
        wait_for(lambda: port_open(self.redis_port), "redis")

    def redis_restart(self) -> None:
        self.services["redis"].stop()
        self.redis_start()

    # --- the TDS processes ----------------------------------------------------------------------------
    def _manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), check=True,
                       capture_output=True, timeout=600)

    def _service(self, name: str, unit: str, command: list[str], **extra: str) -> Service:
        service = Service(name, command, {**self.env(), **extra}, float(unit_field(unit, "RestartSec")),
                          self.base / f"{name}.log")
        self.services[name] = service
        service.start()
        return service

    def web_start(self, instance: int) -> None:
        assert self.layout is not None
        command, _ = deploy.web_command(self.layout, instance)
        self._service(f"web-{instance}", "tds-web@.service", command)
        sock = self.layout.run_dir / f"web-{instance}.sock"
        wait_for(sock.exists, f"gunicorn web-{instance}")

    def start(self) -> Stack:
        from zoho.sandbox import SandboxConfig, SandboxServer

        self.base.chmod(0o755)
        self._smtp_start()
        self.postgres_start()
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "tds")
        self.redis_start()
        self.sandbox = SandboxServer(SandboxConfig(items=self.items, seed=11, rate_limit_per_minute=100,
                                                   counts={"warehouses": 2})).start()
        self.layout = deploy.layout_create(self.base / "site")
        self._manage("migrate", "-v", "0")
        for instance in self.web_instances:
            self.web_start(instance)
        self.nginx = deploy.nginx_start(self.layout)
        worker = shlex.split(unit_field("tds-worker@.service", "ExecStart"))
        for n in range(1, self.workers + 1):
            self._service(f"worker-{n}", "tds-worker@.service", [sys.executable, *worker[1:]])
        scheduler = shlex.split(unit_field("tds-scheduler.service", "ExecStart"))
        self._service("scheduler", "tds-scheduler.service", [sys.executable, *scheduler[1:]])
        return self

    def restart_later(self, name: str) -> threading.Thread:
        """What systemd does for Restart=: start the service again after its unit's RestartSec."""
        service = self.services[name]

        def again() -> None:
            if not self._stopping.wait(service.restart_sec):
                service.restarts += 1
                if name.startswith("web-"):
                    self.web_start(int(name.split("-")[1]))
                else:
                    service.start()

        thread = threading.Thread(target=again, daemon=True)
        thread.start()
        return thread

    def kill(self, name: str) -> None:
        """kill -9 of a service's whole process group, then its restart as its unit says."""
        self.services[name].kill()
        self.restart_later(name)

    def rss(self) -> dict[str, float]:
        out = {name: rss_mb(s.process.pid) for name, s in self.services.items()
               if s.process is not None and s.process.poll() is None}
        if self.nginx is not None:
            out["nginx"] = rss_mb(self.nginx.pid)
        pid_file = self.base / "pg" / "postmaster.pid"
        if pid_file.exists():
            # Shared buffers apart: they fill as the server reads and writes more of the database, up to
            # shared_buffers (a fixed 128 MB here), so their growth is a cache warming, not a leak; the
            # server's own memory (its processes' private pages) is what must stay flat.
            postmaster = int(pid_file.read_text().split()[0])
            shared = rss_mb(postmaster, "Pss_Shmem")
            out["postgresql"], out[PG_SHARED] = rss_mb(postmaster) - shared, shared
        return out

    def stop(self) -> None:
        self._stopping.set()
        for service in reversed(list(self.services.values())):
            service.stop()
        if self.nginx is not None:
            deploy.stop(self.nginx)
        if (self.base / "pg").exists():
            self.postgres_stop()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self._smtp is not None:
            self._smtp.stop()

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- mail -----------------------------------------------------------------------------------------
    def _smtp_start(self) -> None:
        from aiosmtpd.controller import Controller

        mails = self.mails

        class Inbox:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                mails.append((time.time(), envelope.rcpt_tos, envelope.content[:2000]))
                return "250 OK"

        port = free_port()
        self._smtp = Controller(Inbox(), hostname="127.0.0.1", port=port)
        self._smtp.port = port
        self._smtp.start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5, help="how long to keep it up")
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tds-stack-") as base, Stack(Path(base), items=args.items) as up:
        print(f"nginx    {up.layout.url('/') if up.layout else ''}\nwebhooks {up.webhook_url}\n"
              f"database {up.database_url}\nsandbox  {up.sandbox.url}\nfolder   {base}\n"
              f"processes {', '.join(up.services)}; stopping in {args.minutes:g} min", flush=True)
        try:
            time.sleep(args.minutes * 60)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
