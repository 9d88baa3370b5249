"""JSON-RPC: /jsonrpc (the common, db and object services) and the web client's JSON routes.

Routes (type "json" up to 18, "jsonrpc" in 19): a POST whose Content-Type is application/json or
application/json-rpc with a JSON-RPC 2.0 body whose `params` name the route's arguments (unknown
ones are dropped, missing ones are a TypeError, as Odoo's route wrapper does). Another content
type gets Odoo's 400 page; a body that is not JSON, or not an object, a plain 400.

- /jsonrpc {service, method, args}: the services XML-RPC serves, same answers and errors.
- /web/webclient/version_info, /web/database/list: no login needed.
- /web/session/authenticate {db, login, password}: the user's password (an API key is refused in
  an interactive login, as Odoo does); answers the session info and sets the `session_id` cookie.
- /web/session/get_session_info, /web/session/check, /web/session/destroy and
  /web/dataset/call_kw[/<anything>] {model, method, args, kwargs}: need that session.

Success: {"jsonrpc": "2.0", "id": <the request's id>, "result": ...}, "result" left out when the
answer is None. Failure: still HTTP 200, {"error": {"code": 200 (0 from 19), "message": "Odoo
Server Error", "data": {name, message, arguments, context, debug}}}; code 404 "404: Not Found"
for werkzeug's NotFound, 100 "Odoo Session Expired" without a session. Sessions never expire.
"""
from __future__ import annotations

import html
import inspect
import json
import secrets
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.cookies import SimpleCookie
from typing import Any

from odoo.fake.exceptions import AccessDenied, NotFound, SessionExpired
from odoo.fake.methods import check_method_name
from odoo.fake.rpc import Response, format_traceback, odoo_name
from odoo.fake.services import Services

JSON_MIMETYPES = ("application/json", "application/json-rpc")
SESSION_LIFETIME = 7 * 24 * 3600  # Odoo's session cookie lifetime, one week
MAX_UPLOAD = 128 * 1024 * 1024  # Odoo's default web.max_file_upload_size
CALL_KW = "/web/dataset/call_kw"


class _Request:
    def __init__(self, headers: dict[str, str]) -> None:
        cookie = SimpleCookie(headers.get("Cookie", ""))
        self.sid = cookie["session_id"].value if "session_id" in cookie else ""
        self.host = headers.get("Host", "")
        self.new_sid = ""  # set by a successful login: sent back as the session cookie


class Web:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.profile = services.db.profile
        self.sessions: dict[str, int] = {}  # session id -> uid
        self._lock = threading.Lock()
        # path -> (endpoint, needs a logged-in session)
        self.routes: dict[str, tuple[Callable[..., Any], bool]] = {
            "/jsonrpc": (self.jsonrpc, False), "/web/webclient/version_info": (self.version_info, False),
            "/web/database/list": (self.database_list, False), "/web/session/authenticate": (self.authenticate, False),
            "/web/session/get_session_info": (self.get_session_info, True), "/web/session/check": (self.check, True),
            "/web/session/destroy": (self.destroy, True), CALL_KW: (self.call_kw, True)}

    def route(self, path: str) -> str | None:
        if path in self.routes:
            return path
        return CALL_KW if path.startswith(f"{CALL_KW}/") else None

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> Response:
        route = self.route(path) or path
        mimetype = headers.get("Content-Type", "").partition(";")[0].strip().lower()
        if mimetype not in JSON_MIMETYPES:
            kind = "jsonrpc" if self.profile.major >= 19 else "json"
            return _bad_request(f"Request inferred type is compatible with ['http'] but {route!r} is type={kind!r}.")
        try:
            payload = json.loads(body or b"")
        except ValueError:
            return Response(400, b"Invalid JSON data", "text/html; charset=utf-8")
        if not isinstance(payload, dict):
            return Response(400, b"Invalid JSON-RPC data", "text/html; charset=utf-8")
        request = _Request(headers)
        answer: dict[str, Any] = {"jsonrpc": "2.0", "id": payload.get("id")}
        try:
            result = self._dispatch(route, path, request, payload)
            if result is not None:
                answer["result"] = result
        except Exception as exc:  # every failure becomes Odoo's error envelope
            answer["error"] = self.error(exc)
        cookie = (("Set-Cookie", _cookie(request.new_sid)),) if request.new_sid else ()
        return Response(200, json.dumps(answer, default=str).encode(), headers=cookie)

    def _dispatch(self, route: str, path: str, request: _Request, payload: dict[str, Any]) -> Any:
        endpoint, needs_session = self.routes[route]
        if needs_session and request.sid not in self.sessions:
            raise SessionExpired()
        params = dict(payload.get("params", {}))
        if route == CALL_KW:
            params["path"] = path[len(CALL_KW) + 1:] or None
        accepted = inspect.signature(endpoint).parameters
        return endpoint(request, **{k: v for k, v in params.items() if k in accepted and k != "request"})

    def error(self, exc: Exception) -> dict[str, Any]:
        code, message = (0 if self.profile.major >= 19 else 200), "Odoo Server Error"
        if isinstance(exc, NotFound):
            code, message = 404, "404: Not Found"
        elif isinstance(exc, SessionExpired):
            code, message = 100, "Odoo Session Expired"
        name = odoo_name(exc)
        # Odoo keeps AccessDenied's traceback to its logs.
        debug = f"{name}: {exc}\n" if isinstance(exc, AccessDenied) else format_traceback(exc)
        text = "\n".join(str(a) for a in exc.args) if exc.args else str(exc)
        return {"code": code, "message": message,
                "data": {"name": name, "debug": debug, "message": text, "arguments": list(exc.args), "context": {}}}

    # --- endpoints (Odoo's parameter names) --------------------------------------------

    def jsonrpc(self, request: _Request, service: str, method: str, args: list[Any]) -> Any:
        return self.services.dispatch(service, method, args)

    def version_info(self, request: _Request) -> dict[str, Any]:
        return self.services.version()

    def database_list(self, request: _Request) -> list[str]:
        return [self.services.db.name]

    def authenticate(self, request: _Request, db: str, login: str, password: str,
                     base_location: str | None = None) -> dict[str, Any]:
        uid = self.services.authenticate(db, login, password, interactive=True)
        if not uid:
            raise AccessDenied()
        request.new_sid = request.sid = secrets.token_hex(20)
        with self._lock:
            self.sessions[request.sid] = int(uid)
        return self.session_info(request)

    def get_session_info(self, request: _Request) -> dict[str, Any]:
        return self.session_info(request)

    def check(self, request: _Request) -> None:
        return None

    def destroy(self, request: _Request) -> None:
        with self._lock:
            self.sessions.pop(request.sid, None)

    def call_kw(self, request: _Request, model: str, method: str, args: list[Any], kwargs: dict[str, Any],
                path: str | None = None) -> Any:
        if model not in self.services.db.fields:
            raise NotFound()
        if self.profile.major < 19:
            check_method_name(self.profile, model, method)
        return self.services.call(model, method, list(args), dict(kwargs))

    def session_info(self, request: _Request) -> dict[str, Any]:
        """The part of Odoo's session info the fake can fill: user, versions, company, currencies."""
        db, uid = self.services.db, self.sessions[request.sid]
        user = db.read("res.users", [uid], ["name", "login", "company_id"])[0]
        company = db.read("res.company", [user["company_id"][0]], ["name", "currency_id"], load=None)[0]
        currencies = db.read("res.currency", db.search("res.currency", []), ["symbol", "position", "decimal_places"])
        version = self.services.version()
        return {
            "uid": uid, "is_system": True, "is_admin": True, "is_public": False, "is_internal_user": True,
            "user_context": {"lang": "en_US", "tz": "Asia/Baghdad", "uid": uid}, "db": db.name,
            "server_version": version["server_version"], "server_version_info": version["server_version_info"],
            "support_url": "https://www.odoo.com/buy", "name": user["name"], "username": user["login"],
            "web.base.url": f"http://{request.host}" if request.host else "", "active_ids_limit": 20000,
            "max_file_upload_size": MAX_UPLOAD, "bundle_params": {"lang": "en_US"}, "show_effect": True,
            "currencies": {c["id"]: {"symbol": c["symbol"], "position": c["position"],
                                     "digits": [69, c["decimal_places"]]} for c in currencies},
            "user_companies": {"current_company": company["id"], "disallowed_ancestor_companies": {},
                               "allowed_companies": {company["id"]: {
                                   "id": company["id"], "name": company["name"], "sequence": 10, "child_ids": [],
                                   "parent_id": False, "currency_id": company["currency_id"]}}},
        }


def _cookie(sid: str) -> str:
    expires = formatdate(time.time() + SESSION_LIFETIME, usegmt=True)
    return f"session_id={sid}; Expires={expires}; Max-Age={SESSION_LIFETIME}; HttpOnly; Path=/"


def _bad_request(description: str) -> Response:
    page = ("<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n"
            f"<p>{html.escape(description).replace('&#x27;', '&#39;')}</p>\n")  # markupsafe's escaping
    return Response(400, page.encode(), "text/html; charset=utf-8")
