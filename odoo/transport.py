"""The two ways of calling Odoo's ORM: XML-RPC `execute_kw` (<= 18) and JSON-2 (19+).

Both take a method's arguments by name (`ids` apart, as JSON-2 wants them); XML-RPC turns
the leading ones into positional arguments, the way Odoo's signatures order them. Both send
through odoo.wire (a deadline per call, a cap on the answer's size), and each turns its
protocol's failures into one typed OdooError with a one-line message.
"""
from __future__ import annotations

import json
import re
import xmlrpc.client
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

from odoo.errors import (
    OdooAccessError,
    OdooAuthError,
    OdooDatabaseError,
    OdooError,
    OdooMissingError,
    OdooProtocolError,
    OdooTransientError,
    OdooValidationError,
)
from odoo.wire import DEFAULT_MAX_ANSWER_BYTES, WireAnswer, describe, wire_exchange

__all__ = ["Json2Transport", "XmlRpcTransport", "describe", "json2_error", "xmlrpc_call"]

# Leading arguments of each method after `ids`, in Odoo's signature order.
POSITIONAL = {"search": ("domain",), "search_count": ("domain",), "search_read": ("domain",),
              "create": ("vals_list",), "write": ("vals",)}
TRANSIENT_STATUS = {502, 503, 504}
USER_AGENT = "tds-odoo-sync"
# Odoo's own words when execute_kw or JSON-2 names a model the database does not have.
MISSING_MODEL = re.compile(r"Object (\S+) doesn't exist")


def _deadline(seconds: float | Callable[[], float]) -> float:
    return seconds() if callable(seconds) else seconds


def xmlrpc_call(url: str, service: str, method: str, *args: Any, deadline: float | Callable[[], float],
                max_bytes: int = DEFAULT_MAX_ANSWER_BYTES, what: str = "") -> Any:
    """One XML-RPC call; Odoo's faults, bad answers and network failures as typed errors."""
    what = what or f"{service}.{method} (XML-RPC)"
    body = xmlrpc.client.dumps(tuple(args), method, allow_none=False).encode()
    answer = wire_exchange("POST", f"{url}/xmlrpc/2/{service}", body=body,
                           headers={"Content-Type": "text/xml", "User-Agent": USER_AGENT},
                           deadline=_deadline(deadline), max_bytes=max_bytes, what=what)
    if answer.status != 200:
        error = OdooTransientError if answer.status in TRANSIENT_STATUS else OdooProtocolError
        raise error(f"Odoo answered HTTP {answer.status} {answer.reason} to {what}")
    try:
        params, _ = xmlrpc.client.loads(answer.body, use_builtin_types=True)
    except xmlrpc.client.Fault as fault:
        raise fault_error(fault) from None
    except (ExpatError, ValueError, TypeError, AttributeError, IndexError, OverflowError):
        raise OdooProtocolError(f"Odoo answered {what} with a body that is not XML-RPC") from None
    if len(params) != 1:
        raise OdooProtocolError(f"Odoo answered {what} with {len(params)} values instead of one")
    return params[0]


def fault_error(fault: xmlrpc.client.Fault) -> OdooError:
    """Odoo's integer fault codes: 1 application error (traceback), 2 user/validation, 3 denied, 4 access."""
    text = str(fault.faultString).strip()
    last = text.splitlines()[-1] if text else ""
    first = text.splitlines()[0] if text else ""
    missing = missing_model(text)
    if missing is not None:
        return missing
    if fault.faultCode == 3:
        return OdooAuthError("Odoo refused the API key (Access Denied): check ODOO_USERNAME and ODOO_API_KEY")
    if fault.faultCode == 4:
        return OdooAccessError(f"Odoo access denied: {first}")
    if fault.faultCode == 2:
        return OdooValidationError(f"Odoo refused the values: {first}")
    return application_error(last)


def missing_model(text: str) -> OdooMissingError | None:
    """"Object x doesn't exist" (a UserError in Odoo, whatever the protocol): the model is not installed."""
    found = MISSING_MODEL.search(text)
    if found is None:
        return None
    return OdooMissingError(f"Odoo has no model {found.group(1)} (is the app that provides it installed?)")


def application_error(last: str) -> OdooError:
    """The last line of an Odoo traceback, classified."""
    missing = missing_model(last)
    if missing is not None:
        return missing
    if "does not exist" in last and "database" in last:
        name = last.split('database "', 1)[-1].split('"', 1)[0]
        return OdooDatabaseError(f"Odoo has no database {name!r}: check ODOO_DB")
    if last.startswith("KeyError:"):
        return OdooMissingError(f"Odoo has no model {last.split(':', 1)[1].strip()} (is the app installed?)")
    if "Invalid field" in last:
        return OdooMissingError(f"Odoo: {last.split(': ', 1)[-1].strip()}")
    return OdooError(f"Odoo error: {last[:300]}")


class XmlRpcTransport:
    protocol = "xmlrpc"

    def __init__(self, *, url: str, db: str, uid: int, api_key: str, deadline: Callable[[], float],
                 max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> None:
        self._url, self._deadline, self._max_bytes = url, deadline, max_bytes
        self._auth = (db, uid, api_key)

    def call(self, model: str, method: str, *, ids: list[int] | None = None, **named: Any) -> Any:
        args: list[Any] = [] if ids is None else [ids]
        args += [named.pop(name) for name in POSITIONAL.get(method, ()) if name in named]
        return xmlrpc_call(self._url, "object", "execute_kw", *self._auth, model, method, args, named,
                           deadline=self._deadline, max_bytes=self._max_bytes,
                           what=f"{model}.{method} (XML-RPC)")


class Json2Transport:
    protocol = "json2"

    def __init__(self, *, url: str, db: str, api_key: str, deadline: Callable[[], float],
                 max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> None:
        self._url, self._deadline, self._max_bytes = url, deadline, max_bytes
        self._headers = {"Authorization": f"bearer {api_key}", "X-Odoo-Database": db, "User-Agent": USER_AGENT,
                         "Content-Type": "application/json; charset=utf-8"}

    def call(self, model: str, method: str, *, ids: list[int] | None = None, **named: Any) -> Any:
        body = {**named, **({"ids": ids} if ids is not None else {})}
        what = f"POST /json/2/{model}/{method}"
        answer = wire_exchange("POST", f"{self._url}/json/2/{model}/{method}", body=json.dumps(body).encode(),
                               headers=self._headers, deadline=self._deadline(), max_bytes=self._max_bytes,
                               what=what)
        if answer.status == 200:
            try:
                return json.loads(answer.body)
            except (ValueError, RecursionError):
                raise OdooProtocolError(f"Odoo answered {what} with a body that is not JSON") from None
        raise json2_error(answer, model, method)


def json2_error(answer: WireAnswer, model: str, method: str) -> OdooError:
    status = answer.status
    try:
        body = json.loads(answer.body)
        message, name = str(body.get("message", "")), str(body.get("name", ""))
    except (ValueError, RecursionError, AttributeError):  # some early errors are HTML pages, or not objects
        message, name = "", ""
    first = message.splitlines()[0][:300] if message.strip() else f"HTTP {status}"
    missing = missing_model(first)
    if status in TRANSIENT_STATUS:
        return OdooTransientError(f"Odoo answered HTTP {status} (temporarily unavailable)")
    if status == 401:
        return OdooAuthError("Odoo refused the API key (HTTP 401 Invalid apikey): check ODOO_API_KEY")
    if status == 403:
        return OdooAccessError(f"Odoo access denied on {model}.{method}: {first}")
    if missing is not None:
        return missing
    if status == 404 and not name:
        return OdooMissingError(f"Odoo answered 404 for POST /json/2/{model}/{method}")
    if status == 404:
        return OdooMissingError(f"Odoo: {first}")
    if status == 422 and name.startswith("odoo.exceptions"):
        return OdooValidationError(f"Odoo refused the values: {first}")
    if status == 422:
        return OdooProtocolError(f"Odoo refused the call {model}.{method}: {first}")
    return application_error(first)
