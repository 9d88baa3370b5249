"""OdooClient: the one place that speaks HTTP to Odoo.

connect() reads the server version (GET /web/version on 19+, XML-RPC common.version() before),
then authenticates and picks the transport: JSON-2 with the API key as bearer token on 19+,
XML-RPC execute_kw with the key in place of the password before. Reads and writes are batched
by the caller (search_read with fields, create with a list of values, write per group of
identical values). Idempotent calls are retried on transient failures (tenacity, exponential
backoff with jitter); `create` is not, since a lost answer may hide a committed insert: the
next run finds such a product by SKU and adopts it instead of creating it twice.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from odoo.config import OdooSettings, settings_from_django
from odoo.errors import OdooAuthError, OdooDatabaseError, OdooError, OdooMissingError, OdooProtocolError
from odoo.transport import Json2Transport, XmlRpcTransport, describe, xmlrpc_call, xmlrpc_proxy

logger = logging.getLogger("odoo")
JSON2_SINCE = 19
WRITES = ("create", "write", "unlink")


@dataclass(frozen=True)
class ServerInfo:
    version: str
    major: int
    protocol: str
    uid: int


class OdooClient:
    def __init__(self, config: OdooSettings, *, retry_wait: float = 0.2) -> None:
        self.config = config
        self.calls: Counter[str] = Counter()
        self.info: ServerInfo | None = None
        self._transport: XmlRpcTransport | Json2Transport | None = None
        self._retry_wait = retry_wait

    # --- connecting ------------------------------------------------------------------

    def connect(self) -> ServerInfo:
        version = self._retrying(self._version)
        major = int(str(version).split(".")[0].split("~")[-1].replace("saas", "") or 0)
        transport: Json2Transport | XmlRpcTransport
        if major >= JSON2_SINCE:
            transport = Json2Transport(url=self.config.url, db=self.config.db, api_key=self.config.api_key,
                                       timeout=self.config.timeout)
            uid = self._json2_uid(transport)
        else:
            uid = self._retrying(self._authenticate)
            transport = XmlRpcTransport(url=self.config.url, db=self.config.db, uid=uid,
                                        api_key=self.config.api_key, timeout=self.config.timeout)
        self._transport = transport
        self.info = ServerInfo(version=str(version), major=major, protocol=transport.protocol, uid=uid)
        logger.info("connected to Odoo %s at %s (%s, uid %s)", version, self.config.url, transport.protocol, uid)
        return self.info

    def _version(self) -> str:
        try:
            answer = requests.get(f"{self.config.url}/web/version", timeout=self.config.timeout)
        except requests.RequestException as exc:
            from odoo.errors import OdooTransientError

            raise OdooTransientError(f"cannot reach Odoo at {self.config.url}: {describe(exc)}") from None
        if answer.status_code == 200:
            try:
                return str(answer.json()["version"])
            except (ValueError, KeyError, TypeError):
                pass  # not Odoo 19's answer: ask the XML-RPC common service
        info = xmlrpc_call(xmlrpc_proxy(self.config.url, "common", self.config.timeout), "version")
        if not isinstance(info, dict) or "server_version" not in info:
            raise OdooProtocolError(f"{self.config.url} does not answer like an Odoo server")
        return str(info["server_version"])

    def _authenticate(self) -> int:
        common = xmlrpc_proxy(self.config.url, "common", self.config.timeout)
        uid = xmlrpc_call(common, "authenticate", self.config.db, self.config.username, self.config.api_key, {})
        if not uid:  # Odoo answers False, not a fault, for a wrong login or key
            raise OdooAuthError(f"Odoo refused the login {self.config.username!r} on database "
                                f"{self.config.db!r}: check ODOO_USERNAME and ODOO_API_KEY")
        return int(uid)

    def _json2_uid(self, transport: Json2Transport) -> int:
        try:
            context = self._retrying(lambda: transport.call("res.users", "context_get"))
        except OdooMissingError:
            # res.users always exists: a 404 here means the database is not served.
            raise OdooDatabaseError(f"Odoo has no database {self.config.db!r}: check ODOO_DB") from None
        return int(context.get("uid") or 0)

    # --- the ORM methods this project uses ----------------------------------------------

    def search_read(self, model: str, domain: list[Any], fields: list[str], *, context: dict[str, Any] | None = None,
                    limit: int | None = None, order: str | None = None) -> list[dict[str, Any]]:
        named: dict[str, Any] = {"domain": domain, "fields": fields}
        named.update({k: v for k, v in (("limit", limit), ("order", order), ("context", context)) if v})
        return self.call(model, "search_read", **named)

    def search_count(self, model: str, domain: list[Any], *, context: dict[str, Any] | None = None) -> int:
        return int(self.call(model, "search_count", domain=domain, **_context(context)))

    def fields_get(self, model: str, attributes: list[str]) -> dict[str, Any]:
        return self.call(model, "fields_get", attributes=attributes)

    def create(self, model: str, vals_list: list[dict[str, Any]], *,
               context: dict[str, Any] | None = None) -> list[int]:
        ids = self.call(model, "create", vals_list=vals_list, **_context(context))
        return list(ids) if isinstance(ids, list) else [ids]

    def write(self, model: str, ids: list[int], vals: dict[str, Any], *,
              context: dict[str, Any] | None = None) -> bool:
        return bool(self.call(model, "write", ids=ids, vals=vals, **_context(context)))

    def call(self, model: str, method: str, *, ids: list[int] | None = None, **named: Any) -> Any:
        if self._transport is None:
            self.connect()
        transport = self._transport
        assert transport is not None, "connect() sets the transport or raises"
        self.calls[method] += 1
        send = lambda: transport.call(model, method, ids=ids, **dict(named))  # noqa: E731
        return send() if method == "create" else self._retrying(send)

    @property
    def write_calls(self) -> int:
        return sum(self.calls[m] for m in WRITES)

    def _retrying(self, func: Any) -> Any:
        retrying = Retrying(stop=stop_after_attempt(self.config.retry_attempts), reraise=True,
                            wait=wait_exponential_jitter(multiplier=self._retry_wait, max=5.0, jitter=self._retry_wait),
                            retry=retry_if_exception(lambda e: isinstance(e, OdooError) and e.transient),
                            before_sleep=lambda state: logger.warning("Odoo call failed (%s); retrying",
                                                                      state.outcome and state.outcome.exception()))
        return retrying(func)


def _context(context: dict[str, Any] | None) -> dict[str, Any]:
    """The ``context`` keyword only when there is one: Odoo's own default applies otherwise."""
    return {"context": context} if context else {}


def get_client(config: OdooSettings | None = None) -> OdooClient:
    return OdooClient(config or settings_from_django())
