"""The two ways of calling Odoo's ORM: XML-RPC `execute_kw` (<= 18) and JSON-2 (19+).

Both take a method's arguments by name (`ids` apart, as JSON-2 wants them); XML-RPC turns
the leading ones into positional arguments, the way Odoo's signatures order them. Each
transport turns its protocol's failures into one typed OdooError with a one-line message.
"""
from __future__ import annotations

import http.client
import socket
import xmlrpc.client
from typing import Any

import requests

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

# Leading arguments of each method after `ids`, in Odoo's signature order.
POSITIONAL = {"search": ("domain",), "search_count": ("domain",), "search_read": ("domain",),
              "create": ("vals_list",), "write": ("vals",)}
TRANSIENT_STATUS = {502, 503, 504}
NETWORK_ERRORS = (ConnectionError, socket.timeout, TimeoutError, http.client.HTTPException, OSError)
USER_AGENT = "tds-odoo-sync"


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__(use_builtin_types=True)
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _SafeTimeoutTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float) -> None:
        super().__init__(use_builtin_types=True)
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def xmlrpc_proxy(url: str, service: str, timeout: float) -> xmlrpc.client.ServerProxy:
    kind = _SafeTimeoutTransport if url.startswith("https") else _TimeoutTransport
    return xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/{service}", transport=kind(timeout), allow_none=False)


def xmlrpc_call(proxy: xmlrpc.client.ServerProxy, method: str, *args: Any) -> Any:
    """One XML-RPC call; Odoo's faults and network failures as typed errors."""
    try:
        return getattr(proxy, method)(*args)
    except xmlrpc.client.Fault as fault:
        raise fault_error(fault) from None
    except xmlrpc.client.ProtocolError as exc:
        error = OdooTransientError if exc.errcode in TRANSIENT_STATUS else OdooProtocolError
        raise error(f"Odoo answered HTTP {exc.errcode} {exc.errmsg}") from None
    except NETWORK_ERRORS as exc:
        raise OdooTransientError(f"cannot reach Odoo: {describe(exc)}") from None


def fault_error(fault: xmlrpc.client.Fault) -> OdooError:
    """Odoo's integer fault codes: 1 application error (traceback), 2 user/validation, 3 denied, 4 access."""
    text = str(fault.faultString).strip()
    last = text.splitlines()[-1] if text else ""
    first = text.splitlines()[0] if text else ""
    if fault.faultCode == 3:
        return OdooAuthError("Odoo refused the API key (Access Denied): check ODOO_USERNAME and ODOO_API_KEY")
    if fault.faultCode == 4:
        return OdooAccessError(f"Odoo access denied: {first}")
    if fault.faultCode == 2:
        return OdooValidationError(f"Odoo refused the values: {first}")
    return application_error(last)


def application_error(last: str) -> OdooError:
    """The last line of an Odoo traceback, classified."""
    if "does not exist" in last and "database" in last:
        name = last.split('database "', 1)[-1].split('"', 1)[0]
        return OdooDatabaseError(f"Odoo has no database {name!r}: check ODOO_DB")
    if last.startswith("KeyError:"):
        return OdooMissingError(f"Odoo has no model {last.split(':', 1)[1].strip()} (is the app installed?)")
    if "Invalid field" in last:
        return OdooMissingError(f"Odoo: {last.split(': ', 1)[-1].strip()}")
    return OdooError(f"Odoo error: {last}")


def describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    for needle, phrase in (("refused", "connection refused"), ("reset", "connection reset"),
                           ("timed out", "timed out"), ("RemoteDisconnected", "connection closed by the server"),
                           ("Name or service not known", "host name not found")):
        if needle in text or needle in type(exc).__name__:
            return phrase
    return type(exc).__name__


class XmlRpcTransport:
    protocol = "xmlrpc"

    def __init__(self, *, url: str, db: str, uid: int, api_key: str, timeout: float) -> None:
        self._proxy = xmlrpc_proxy(url, "object", timeout)
        self._auth = (db, uid, api_key)

    def call(self, model: str, method: str, *, ids: list[int] | None = None, **named: Any) -> Any:
        args: list[Any] = [] if ids is None else [ids]
        args += [named.pop(name) for name in POSITIONAL.get(method, ()) if name in named]
        return xmlrpc_call(self._proxy, "execute_kw", *self._auth, model, method, args, named)


class Json2Transport:
    protocol = "json2"

    def __init__(self, *, url: str, db: str, api_key: str, timeout: float,
                 session: requests.Session | None = None) -> None:
        self._url, self._timeout = url, timeout
        self._session = session or requests.Session()
        self._session.headers.update({"Authorization": f"bearer {api_key}", "X-Odoo-Database": db,
                                      "User-Agent": USER_AGENT})

    def call(self, model: str, method: str, *, ids: list[int] | None = None, **named: Any) -> Any:
        body = {**named, **({"ids": ids} if ids is not None else {})}
        try:
            response = self._session.post(f"{self._url}/json/2/{model}/{method}", json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            raise OdooTransientError(f"cannot reach Odoo: {describe(exc)}") from None
        if response.status_code == 200:
            try:
                return response.json()
            except ValueError:
                raise OdooProtocolError(f"Odoo answered {model}/{method} with a body that is not JSON") from None
        raise json2_error(response, model, method)


def json2_error(response: requests.Response, model: str, method: str) -> OdooError:
    status = response.status_code
    try:
        body = response.json()
        message, name = str(body.get("message", "")), str(body.get("name", ""))
    except ValueError:  # some early errors are HTML pages
        message, name = "", ""
    first = message.splitlines()[0] if message else f"HTTP {status}"
    if status in TRANSIENT_STATUS:
        return OdooTransientError(f"Odoo answered HTTP {status} (temporarily unavailable)")
    if status == 401:
        return OdooAuthError("Odoo refused the API key (HTTP 401 Invalid apikey): check ODOO_API_KEY")
    if status == 403:
        return OdooAccessError(f"Odoo access denied on {model}.{method}: {first}")
    if status == 404 and not name:
        return OdooMissingError(f"Odoo answered 404 for POST /json/2/{model}/{method}")
    if status == 404:
        return OdooMissingError(f"Odoo: {first}")
    if status == 422 and name.startswith("odoo.exceptions"):
        return OdooValidationError(f"Odoo refused the values: {first}")
    if status == 422:
        return OdooProtocolError(f"Odoo refused the call {model}.{method}: {first}")
    return application_error(first)
