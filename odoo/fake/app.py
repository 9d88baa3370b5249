"""FakeOdooApp: routes requests to the protocols, counts calls, injects transient faults.

Routes: POST /xmlrpc/2/<service> (common, db, object), POST /jsonrpc and the web client's JSON
routes (/web/session/..., /web/webclient/version_info, /web/database/list,
/web/dataset/call_kw; see web.py) in every profile; GET /web/version and
POST /json/2/<model>/<method> in 19 only (a plain 404 before). All of them share one dispatch
(services.py). The fake's own control API (not Odoo) lives under /_fake/: GET info, GET counters,
POST reset-counters, POST faults {"http_503": N, "reset": N} (the next N calls fail that way).
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from odoo.fake import data, products
from odoo.fake.config import FakeConfig
from odoo.fake.orm import Database
from odoo.fake.profiles import profile_for
from odoo.fake.rpc import NOT_FOUND_HTML, Response, Rpc
from odoo.fake.services import Services
from odoo.fake.web import Web

WRITE_METHODS = ("create", "write", "unlink")


class ConnectionReset(Exception):
    """Raised to make the server drop the connection without an answer."""


class FakeOdooApp:
    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.profile = profile_for(config.version)
        self.db = Database(config.db, self.profile)
        products.install(self.db)
        data.seed(self.db, currency=config.currency, company=config.company, login=config.login)
        uid = self.db.search("res.users", [("login", "=", config.login)])[0]
        self.services = Services(self.db, login=config.login, password=config.password, api_key=config.api_key,
                                 uid=uid, record=self._record)
        self.rpc = Rpc(self.services)
        self.web = Web(self.services)
        self.calls: Counter[str] = Counter()
        self.records_written: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        if path.startswith("/_fake/"):
            return self._control(method, path[len("/_fake/"):].strip("/"), body)
        self._maybe_fail(path)
        if method == "POST" and path.startswith("/xmlrpc/2/") and path.count("/") == 3:
            return self.rpc.xmlrpc(path.rsplit("/", 1)[1], body)
        if self.web.route(path):
            return self.web.handle(path, headers, body)
        if self.profile.json2 and method == "GET" and path == "/web/version":
            p = self.profile
            return Response(200, json.dumps({"version_info": p.version_info, "version": p.server_version}).encode())
        if self.profile.json2 and path.startswith("/json/2/"):
            return self._json2(method, path, headers, body)
        return Response(404, NOT_FOUND_HTML, "text/html; charset=utf-8")

    def _json2(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        parts = path[len("/json/2/"):].split("/")
        if method != "POST" or len(parts) != 2 or not all(parts):
            error = {"name": "werkzeug.exceptions.NotFound", "message": "Did you mean POST /json/2/<model>/<method>?",
                     "arguments": ["Did you mean POST /json/2/<model>/<method>?", 404], "context": {}, "debug": ""}
            return Response(404, json.dumps(error).encode())
        return self.rpc.json2(parts[0], parts[1], headers, body)

    def _maybe_fail(self, path: str) -> None:
        with self._lock:
            for kind in ("reset", "http_503"):
                if self.faults[kind] > 0:
                    self.faults[kind] -= 1
                    self.faults[f"{kind}_injected"] += 1
                    if kind == "reset":
                        raise ConnectionReset(path)
                    raise _ServiceUnavailable()

    def _record(self, model: str, method: str, n: int) -> None:
        with self._lock:
            self.calls[f"{model}.{method}"] += 1
            if method in WRITE_METHODS:
                self.records_written[f"{model}.{method}"] += n

    def counters(self) -> dict[str, Any]:
        with self._lock:
            writes = sum(v for k, v in self.calls.items() if k.rsplit(".", 1)[1] in WRITE_METHODS)
            return {"calls": dict(self.calls), "write_calls": writes, "records_written": dict(self.records_written),
                    "faults": dict(self.faults)}

    def reset_counters(self) -> None:
        with self._lock:
            self.calls.clear()
            self.records_written.clear()

    def info(self) -> dict[str, Any]:
        return {"version": self.profile.server_version, "db": self.db.name, "login": self.config.login,
                "currency": self.config.currency, "json2": self.profile.json2, "jsonrpc": True,
                "counts": {model: len(rows) for model, rows in self.db.tables.items()}}

    def _control(self, method: str, name: str, body: bytes) -> Response:
        if (method, name) == ("GET", "info"):
            return _json(self.info())
        if (method, name) == ("GET", "counters"):
            return _json(self.counters())
        if (method, name) == ("POST", "reset-counters"):
            self.reset_counters()
            return _json({"ok": True})
        if (method, name) == ("POST", "faults"):
            wanted = json.loads(body or b"{}")
            with self._lock:
                for kind in ("reset", "http_503"):
                    self.faults[kind] = int(wanted.get(kind, 0))
            return _json({"ok": True})
        return Response(404, NOT_FOUND_HTML, "text/html; charset=utf-8")


class _ServiceUnavailable(Exception):
    """The answer a proxy in front of Odoo gives while Odoo restarts."""


SERVICE_UNAVAILABLE = Response(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                               "text/html; charset=utf-8")


def _json(payload: dict[str, Any]) -> Response:
    return Response(200, json.dumps(payload).encode())
