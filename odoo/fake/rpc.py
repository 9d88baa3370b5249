"""The two wire protocols of the fake: XML-RPC (/xmlrpc/2/common, /xmlrpc/2/object) and JSON-2.

Errors take Odoo's shapes. XML-RPC: integer fault codes (1 application error with the traceback
as faultString, 2 UserError/ValidationError, 3 AccessDenied, 4 AccessError); authenticate answers
False on bad credentials; nothing marshals None. JSON-2: HTTP 401/403/404/422/500 with a
`{name, message, arguments, context, debug}` body; an unknown database is a plain HTML 404.
"""
from __future__ import annotations

import json
import traceback
import xmlrpc.client
from dataclasses import dataclass
from typing import Any

from odoo.fake.exceptions import AccessDenied, AccessError, DatabaseMissing, MissingError, UserError
from odoo.fake.methods import bind, lookup
from odoo.fake.orm import Database

NOT_FOUND_HTML = (b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                  b"<p>The requested URL was not found on the server. If you entered the URL manually please "
                  b"check your spelling and try again.</p>\n")


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"


class HttpError(Exception):
    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


class Rpc:
    def __init__(self, db: Database, *, login: str, api_key: str, uid: int, record: Any) -> None:
        self.db, self.login, self.api_key, self.uid = db, login, api_key, uid
        self.record = record  # counts each ORM call: record(model, method, n_records)

    # --- XML-RPC ---------------------------------------------------------------------

    def xmlrpc(self, service: str, body: bytes) -> Response:
        try:
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            if method is None:
                raise ValueError("no methodName in the request")
            result = self._common(method, params) if service == "common" else self._object(method, params)
            payload = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a Fault, as in Odoo
            payload = xmlrpc.client.dumps(_fault(exc), allow_none=False)
        return Response(200, payload.encode(), "text/xml; charset=utf-8")

    def _common(self, method: str, params: tuple[Any, ...]) -> Any:
        if method == "version":
            p = self.db.profile
            return {"server_version": p.server_version, "server_version_info": p.version_info,
                    "server_serie": p.server_version, "protocol_version": 1}
        if method in ("authenticate", "login"):
            db, login, password = params[:3]
            self._database(db)
            return self.uid if (login, password) == (self.login, self.api_key) else False
        raise NameError(f"Method not available {method}")

    def _object(self, method: str, params: tuple[Any, ...]) -> Any:
        if method == "execute_kw":
            db, uid, password, model, name, args, *rest = params
            kwargs = dict(rest[0]) if rest else {}
        elif method == "execute":
            db, uid, password, model, name, *args = params
            kwargs = {}
        else:
            raise NameError(f"Method not available {method}")
        self._database(db)
        if (uid, password) != (self.uid, self.api_key):
            raise AccessDenied()
        func, takes_ids = lookup(model, name)
        self.db.model(model)
        context = {**(kwargs.pop("context", None) or {}), "uid": self.uid}
        bound = bind(func, list(args), kwargs)
        return self._call(func, model, name, context, bound)

    # --- JSON-2 ----------------------------------------------------------------------

    def json2(self, model: str, method: str, headers: dict[str, str], body: bytes) -> Response:
        if headers.get("X-Odoo-Database", self.db.name) != self.db.name:
            return Response(404, NOT_FOUND_HTML, "text/html; charset=utf-8")
        try:
            return Response(200, json.dumps(self._json2(model, method, headers, body)).encode())
        except Exception as exc:  # noqa: BLE001 - every failure becomes an Odoo error body
            status, name, message = _json2_error(exc)
            error = {"name": name, "message": message, "arguments": [message, status], "context": {},
                     "debug": format_traceback(exc)}
            return Response(status, json.dumps(error).encode())

    def _json2(self, model: str, method: str, headers: dict[str, str], body: bytes) -> Any:
        scheme, _, key = headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or key != self.api_key:
            raise HttpError(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
        try:
            self.db.model(model)
        except KeyError:
            raise HttpError(404, "werkzeug.exceptions.NotFound", f"the model {model!r} does not exist") from None
        try:
            func, takes_ids = lookup(model, method)
        except AttributeError as exc:
            raise HttpError(404, "werkzeug.exceptions.NotFound", str(exc)) from None
        params = json.loads(body or b"{}")
        ids, context = params.pop("ids", None) or [], {**(params.pop("context", None) or {}), "uid": self.uid}
        if ids and not takes_ids:
            raise HttpError(422, "werkzeug.exceptions.UnprocessableEntity", f"cannot call {model}.{method} with ids")
        try:
            bound = bind(func, [ids] if takes_ids else [], params)
        except TypeError as exc:
            raise HttpError(422, "werkzeug.exceptions.UnprocessableEntity", str(exc)) from None
        return self._call(func, model, method, context, bound)

    # --- shared ----------------------------------------------------------------------

    def _call(self, func: Any, model: str, method: str, context: dict[str, Any], bound: Any) -> Any:
        result = func(self.db, model, context, *bound.args, **bound.kwargs)
        first = bound.args[0] if bound.args else None
        self.record(model, method, len(first) if method in ("create", "write") and isinstance(first, list) else 1)
        return result

    def _database(self, name: str) -> None:
        if name != self.db.name:
            raise DatabaseMissing(name)


def _fault(exc: Exception) -> xmlrpc.client.Fault:
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, str(exc))
    return xmlrpc.client.Fault(1, format_traceback(exc))


def format_traceback(exc: Exception) -> str:
    """Python's traceback, its last line naming the exception as Odoo's server would (e.g. psycopg2's)."""
    lines = traceback.format_exception(exc)
    name = getattr(exc, "odoo_name", "")
    if name:
        lines[-1] = f"{name}: {exc}\n"
    return "".join(lines)


def _json2_error(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, HttpError):
        return exc.status, exc.name, exc.message
    status = (404 if isinstance(exc, MissingError) else 422 if isinstance(exc, UserError)
              else 403 if isinstance(exc, AccessError) else 401 if isinstance(exc, AccessDenied) else 500)
    name = getattr(exc, "odoo_name", f"builtins.{type(exc).__name__}")
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return status, name, message
