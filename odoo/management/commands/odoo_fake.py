"""Serve the fake Odoo in the foreground.

    python manage.py odoo_fake --port 8069 --version 18 --currency IQD --db tsh --login admin \
        --password admin --api-key KEY

The banner says where it listens and how to sign in: the password for Odoo's own clients
(odoorpc, the JSON-RPC login), the API key for TDS.
"""
from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from odoo.fake import FakeConfig, FakeOdooServer
from odoo.fake.profiles import PROFILES


class Command(BaseCommand):
    help = "Run the local fake Odoo (XML-RPC; JSON-2 on 19) until Ctrl-C."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version is the Odoo profile here, not Django's version: ours replaces the built-in one.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8069)
        parser.add_argument("--version", dest="odoo_version", type=int, default=18,
                            help=f"version profile: 16 or {', '.join(map(str, PROFILES))}")
        parser.add_argument("--currency", default="IQD", help="the company currency")
        parser.add_argument("--db", default="tsh")
        parser.add_argument("--login", default="admin")
        parser.add_argument("--password", default="admin", help="the login's password (interactive and RPC logins)")
        parser.add_argument("--api-key", default="fake-odoo-api-key")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = FakeConfig(version=options["odoo_version"], db=options["db"], login=options["login"],
                                password=options["password"], api_key=options["api_key"],
                                currency=options["currency"].upper(),
                                host=options["host"], port=options["port"])
            server = FakeOdooServer(config).start()
        except (ValueError, OSError) as exc:
            raise CommandError(f"fake Odoo not started: {exc}") from None
        protocols = "XML-RPC, JSON-RPC and JSON-2" if server.app.profile.json2 else "XML-RPC and JSON-RPC"
        self.stdout.write(f"Fake Odoo {server.app.profile.server_version} serving at {server.url} ({protocols})")
        self.stdout.write(f"  URL       {server.url}")
        self.stdout.write(f"  database  {config.db}")
        self.stdout.write(f"  login     {config.login}")
        self.stdout.write(f"  password  {config.password}")
        self.stdout.write(f"  API key   {config.api_key}")
        self.stdout.write(f"  company currency {config.currency}")
        self.stdout.write(f"  use it: ODOO_URL={server.url} ODOO_DB={config.db} ODOO_USERNAME={config.login} "
                          f"ODOO_API_KEY={config.api_key} python manage.py tds_odoo_sync --once")
        self.stdout.write("  control API: GET /_fake/info, /_fake/counters ; stop with Ctrl-C")
        self.stdout.flush()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        server.stop()
        self.stdout.write("Fake Odoo stopped.")
