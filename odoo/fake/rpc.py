"""Two wire protocols of the fake: XML-RPC (/xmlrpc/2/common, db, object) and JSON-2 (/json/2/...).

Both go through the shared services (services.py). Errors take Odoo's shapes. XML-RPC: integer
fault codes (1 application error with the traceback as faultString, 2 UserError/ValidationError,
3 AccessDenied, 4 AccessError); authenticate answers False on bad credentials; nothing marshals
None (a method answering None is a fault, as in Odoo). JSON-2: the HTTP status Odoo attaches to
the exception (401 bad key, 403 access, 404 unknown model/method or missing record, 422 user
error or unbindable arguments, 500 otherwise) with a `{name, message, arguments, context,
debug}` body; an unknown database is a plain HTML 404.
"""
from __future__ import annotations

import json
import traceback
import xmlrpc.client
from dataclasses import dataclass
from typing import Any

from odoo.fake.exceptions import AccessDenied, AccessError, UserError
from odoo.fake.methods import bind, lookup
from odoo.fake.services import Services

NOT_FOUND_HTML = (b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
                  b"<p>The requested URL was not found on the server. If you entered the URL manually please "
                  b"check your spelling and try again.</p>\n")


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()  # extra headers, e.g. Set-Cookie


class HttpError(Exception):
    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


class Rpc:
    """XML-RPC and JSON-2 over the shared services: the wire formats only."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db

    # --- XML-RPC ---------------------------------------------------------------------

    def xmlrpc(self, service: str, body: bytes) -> Response:
        try:
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            if method is None:
                raise ValueError("no methodName in the request")
            result = self.services.dispatch(service, method, list(params))
            payload = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:  # every failure becomes a Fault, as in Odoo
            payload = xmlrpc.client.dumps(_fault(exc), allow_none=False)
        return Response(200, payload.encode(), "text/xml; charset=utf-8")

    # --- JSON-2 ----------------------------------------------------------------------

    def json2(self, model: str, method: str, headers: dict[str, str], body: bytes) -> Response:
        if headers.get("X-Odoo-Database", self.db.name) != self.db.name:
            return Response(404, NOT_FOUND_HTML, "text/html; charset=utf-8")
        try:
            return Response(200, json.dumps(self._json2(model, method, headers, body)).encode())
        except Exception as exc:  # every failure becomes an Odoo error body
            status, name, message = _json2_error(exc)
            error = {"name": name, "message": message, "arguments": [message, status], "context": {},
                     "debug": format_traceback(exc)}
            return Response(status, json.dumps(error).encode())

    def _json2(self, model: str, method: str, headers: dict[str, str], body: bytes) -> Any:
        scheme, _, key = headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or key != self.services.api_key:
            raise HttpError(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
        if model not in self.db.fields:
            raise HttpError(404, "werkzeug.exceptions.NotFound", f"the model {model!r} does not exist")
        try:
            func, takes_ids = lookup(self.db.profile, model, method)
        except AttributeError as exc:
            raise HttpError(404, "werkzeug.exceptions.NotFound", str(exc)) from None
        params = json.loads(body or b"{}")
        ids, context = params.pop("ids", None) or [], {**(params.pop("context", None) or {}), "uid": self.services.uid}
        if ids and not takes_ids:
            raise HttpError(422, "werkzeug.exceptions.UnprocessableEntity", f"cannot call {model}.{method} with ids")
        try:
            bound = bind(func, [ids] if takes_ids else [], params)
        except TypeError as exc:
            raise HttpError(422, "werkzeug.exceptions.UnprocessableEntity", str(exc)) from None
        return self.services.run(func, model, method, context, bound)


def _fault(exc: Exception) -> xmlrpc.client.Fault:
    # AccessError and AccessDenied are UserErrors too: the order matters, as in Odoo's own mapping.
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
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


def odoo_name(exc: Exception) -> str:
    """The exception's dotted class path, as Odoo's error bodies name it."""
    return getattr(exc, "odoo_name", f"{type(exc).__module__}.{type(exc).__name__}")


def _json2_error(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, HttpError):
        return exc.status, exc.name, exc.message
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return getattr(exc, "http_status", 500), odoo_name(exc), message
