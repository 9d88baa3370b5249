"""Serve the Zoho sandbox in the foreground (or send a burst of webhooks from it).

    python manage.py zoho_sandbox --port 8765 --items 2218 --seed 1 --faults none
    python manage.py zoho_sandbox --port 8765 --send-webhooks http://127.0.0.1:8000/api/webhooks/zoho

`--send-webhooks URL` starts the sandbox, edits `--webhook-count` random items (bumping their
last_modified_time, the way a Zoho user's edits would), POSTs one signed `{"item": {...}}`
delivery per edit to URL, prints the answers, then keeps serving so the receiver can read the
edited records back.
"""
from __future__ import annotations

import random
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from zoho.sandbox import SandboxConfig, SandboxServer
from zoho.sandbox.faults import PROFILES


class Command(BaseCommand):
    help = "Run the local Zoho Books/Inventory sandbox (seeded data, real HTTP) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--items", type=int, default=2218)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--faults", default="none", help=f"profile ({', '.join(PROFILES)}) or a spec like "
                                                            "'5xx=0.1,429=0.05,timeout=0.02,expire_every=50'")
        parser.add_argument("--stock-shape", choices=("warehouses", "locations"), default="warehouses")
        parser.add_argument("--rate-limit", type=int, default=100, help="requests per minute (0 = off)")
        parser.add_argument("--daily-limit", type=int, default=10000, help="calls per day (0 = off)")
        parser.add_argument("--max-concurrency", type=int, default=10)
        parser.add_argument("--timeout-sleep", type=float, default=35.0, help="seconds a 'timeout' fault stalls")
        parser.add_argument("--client-id", default="sandbox-client")
        parser.add_argument("--client-secret", default="sandbox-secret")
        parser.add_argument("--refresh-token", default="sandbox-refresh")
        parser.add_argument("--organization-id", default="10234695")
        parser.add_argument("--send-webhooks", metavar="URL", default="")
        parser.add_argument("--webhook-count", type=int, default=20)
        parser.add_argument("--webhook-format", choices=("json", "form"), default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        config = SandboxConfig(
            items=options["items"], seed=options["seed"], faults=options["faults"],
            stock_shape=options["stock_shape"], rate_limit_per_minute=options["rate_limit"],
            daily_limit=options["daily_limit"], max_concurrency=options["max_concurrency"],
            timeout_sleep=options["timeout_sleep"], client_id=options["client_id"],
            client_secret=options["client_secret"], refresh_token=options["refresh_token"],
            organization_id=options["organization_id"], host=options["host"], port=options["port"])
        server = SandboxServer(config).start()
        self._announce(server)
        if options["send_webhooks"]:
            self._send_burst(server, options["send_webhooks"], options["webhook_count"], options["webhook_format"])
        self._wait(server)

    def _announce(self, server: SandboxServer) -> None:
        cfg = server.config
        counts = ", ".join(f"{k} {len(v)}" for k, v in server.store.records.items())
        self.stdout.write(f"Zoho sandbox serving at {server.url}  (accounts server and api_domain)")
        self.stdout.write(f"  sandbox credentials: client id {cfg.client_id}, client secret {cfg.client_secret}, "
                          f"refresh token {cfg.refresh_token}, organization id {cfg.organization_id}")
        self.stdout.write(f"  data (seed {cfg.seed}): {counts}")
        self.stdout.write(f"  faults {cfg.faults}; stock shape {cfg.stock_shape}; rate limit "
                          f"{cfg.rate_limit_per_minute or 'off'}/min; daily quota {cfg.daily_limit or 'off'}")
        self.stdout.write(f"  use it: ZOHO_SANDBOX=true ZOHO_SANDBOX_URL={server.url} python manage.py tds_sync "
                          "(ZOHO_SANDBOX_URL defaults to http://127.0.0.1:8765)")
        self.stdout.write("  control API: GET/POST /_sandbox/... ; stop with Ctrl-C")
        self.stdout.flush()

    def _send_burst(self, server: SandboxServer, url: str, count: int, fmt: str) -> None:
        secret = settings.ZOHO_WEBHOOK_SECRET or "sandbox-webhook-secret"
        rng = random.Random(server.config.seed)
        ids = server.store.ids_of("items")
        for item_id in rng.sample(ids, min(count, len(ids))):
            server.store.bump("items", item_id)
            status: int | str
            try:
                status = server.send_webhook(url, "item", item_id, secret=secret, fmt=fmt)
            except OSError as exc:
                status = f"failed ({exc.__class__.__name__})"
            self.stdout.write(f"  webhook item {item_id} -> {status}")

    def _wait(self, server: SandboxServer) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        server.stop()
        self.stdout.write("Zoho sandbox stopped.")
