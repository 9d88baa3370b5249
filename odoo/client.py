"""OdooClient: the one place that speaks HTTP to Odoo.

connect() reads the server version (GET /web/version on 19+, XML-RPC common.version() before),
then authenticates and picks the transport: JSON-2 with the API key as bearer token on 19+,
XML-RPC execute_kw with the key in place of the password before. Reads and writes are batched
by the caller (search_read with fields, create with a list of values, write per group of
identical values). Idempotent calls are retried on transient failures (tenacity, exponential
backoff with jitter); `create` is not, since a lost answer may hide a committed insert: the
next run finds such a product by SKU and adopts it instead of creating it twice.

Every call has a total deadline (ODOO_TIMEOUT_SECONDS, cut short by what is left of the run's
ODOO_RUN_TIMEOUT_SECONDS) and a cap on its answer (ODOO_MAX_ANSWER_BYTES), enforced in odoo.wire;
every answer is checked against the shape Odoo documents (odoo.answers) before it is used.
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from odoo.answers import (
    OdooAnswerError,
    answer_bool,
    answer_ids,
    answer_int,
    answer_mapping,
    answer_records,
    record_int,
    record_str,
)
from odoo.config import OdooSettings, settings_from_django
from odoo.errors import (
    OdooAuthError,
    OdooDatabaseError,
    OdooError,
    OdooMissingError,
    OdooProtocolError,
    OdooRunTimeoutError,
    OdooTimeoutError,
)
from odoo.transport import Json2Transport, XmlRpcTransport, xmlrpc_call
from odoo.wire import wire_exchange

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
        self._run_ends = time.monotonic() + config.run_timeout

    # --- the run's deadline -------------------------------------------------------------

    def run_begin(self) -> None:
        """Start the run's clock (ODOO_RUN_TIMEOUT_SECONDS from now)."""
        self._run_ends = time.monotonic() + self.config.run_timeout

    def _run_left(self) -> float:
        return self._run_ends - time.monotonic()

    def _call_seconds(self) -> float:
        """The next call's deadline: ODOO_TIMEOUT_SECONDS, or what is left of the run if less."""
        left = self._run_left()
        if left <= 0:
            raise self._run_over()
        return min(self.config.timeout, left)

    def _run_over(self) -> OdooRunTimeoutError:
        return OdooRunTimeoutError(f"the Odoo run passed ODOO_RUN_TIMEOUT_SECONDS ({self.config.run_timeout:g} s) "
                                   "and stopped; what it wrote is kept and the next run goes on from there")

    # --- connecting ------------------------------------------------------------------

    def connect(self) -> ServerInfo:
        version = self._retrying(self._version)
        major = _major(version)
        transport: Json2Transport | XmlRpcTransport
        limits: dict[str, Any] = {"deadline": self._call_seconds, "max_bytes": self.config.max_answer_bytes}
        if major >= JSON2_SINCE:
            transport = Json2Transport(url=self.config.url, db=self.config.db, api_key=self.config.api_key,
                                       **limits)
            uid = self._json2_uid(transport)
        else:
            uid = self._retrying(self._authenticate)
            transport = XmlRpcTransport(url=self.config.url, db=self.config.db, uid=uid,
                                        api_key=self.config.api_key, **limits)
        self._transport = transport
        self.info = ServerInfo(version=str(version), major=major, protocol=transport.protocol, uid=uid)
        logger.info("connected to Odoo %s at %s (%s, uid %s)", version, self.config.url, transport.protocol, uid)
        return self.info

    def _version(self) -> str:
        answer = wire_exchange("GET", f"{self.config.url}/web/version", headers={"User-Agent": "tds-odoo-sync"},
                               deadline=self._call_seconds(), max_bytes=self.config.max_answer_bytes,
                               what="GET /web/version")
        if answer.status == 200:
            try:
                version = json.loads(answer.body)["version"]
            except (ValueError, KeyError, TypeError, IndexError, RecursionError):
                version = None  # not Odoo 19's answer: ask the XML-RPC common service
            if version is not None:
                return record_str({"version": version}, "version", "GET /web/version")
        info = xmlrpc_call(self.config.url, "common", "version", deadline=self._call_seconds,
                           max_bytes=self.config.max_answer_bytes)
        if not isinstance(info, dict) or "server_version" not in info:
            raise OdooProtocolError(f"{self.config.url} does not answer like an Odoo server")
        return record_str(info, "server_version", "common.version (XML-RPC)")

    def _authenticate(self) -> int:
        uid = xmlrpc_call(self.config.url, "common", "authenticate", self.config.db, self.config.username,
                          self.config.api_key, {}, deadline=self._call_seconds,
                          max_bytes=self.config.max_answer_bytes)
        if uid is False:  # Odoo answers False, not a fault, for a wrong login or key
            raise OdooAuthError(f"Odoo refused the login {self.config.username!r} on database "
                                f"{self.config.db!r}: check ODOO_USERNAME and ODOO_API_KEY")
        return answer_int(uid, "common.authenticate (XML-RPC)")

    def _json2_uid(self, transport: Json2Transport) -> int:
        try:
            context = self._retrying(lambda: transport.call("res.users", "context_get"))
        except OdooMissingError:
            # res.users always exists: a 404 here means the database is not served.
            raise OdooDatabaseError(f"Odoo has no database {self.config.db!r}: check ODOO_DB") from None
        what = "res.users.context_get"
        return record_int(answer_mapping(context, what), "uid", what)

    # --- the ORM methods this project uses ----------------------------------------------

    def search_read(self, model: str, domain: list[Any], fields: list[str], *, context: dict[str, Any] | None = None,
                    limit: int | None = None, order: str | None = None) -> list[dict[str, Any]]:
        named: dict[str, Any] = {"domain": domain, "fields": fields}
        named.update({k: v for k, v in (("limit", limit), ("order", order), ("context", context)) if v})
        return answer_records(self.call(model, "search_read", **named), f"{model}.search_read")

    def search_count(self, model: str, domain: list[Any], *, context: dict[str, Any] | None = None) -> int:
        return answer_int(self.call(model, "search_count", domain=domain, **_context(context)),
                          f"{model}.search_count")

    def fields_get(self, model: str, attributes: list[str]) -> dict[str, Any]:
        return answer_mapping(self.call(model, "fields_get", attributes=attributes), f"{model}.fields_get")

    def create(self, model: str, vals_list: list[dict[str, Any]], *,
               context: dict[str, Any] | None = None) -> list[int]:
        ids = answer_ids(self.call(model, "create", vals_list=vals_list, **_context(context)), f"{model}.create")
        if len(ids) != len(vals_list):
            raise OdooAnswerError(f"Odoo answered {model}.create with {len(ids)} ids for {len(vals_list)} records")
        return ids

    def write(self, model: str, ids: list[int], vals: dict[str, Any], *,
              context: dict[str, Any] | None = None) -> bool:
        return answer_bool(self.call(model, "write", ids=ids, vals=vals, **_context(context)), f"{model}.write")

    def call(self, model: str, method: str, *, ids: list[int] | None = None, **named: Any) -> Any:
        if self._transport is None:
            self.connect()
        transport = self._transport
        assert transport is not None, "connect() sets the transport or raises"
        self.calls[method] += 1
        send = lambda: transport.call(model, method, ids=ids, **dict(named))  # noqa: E731
        return self._once(send) if method == "create" else self._retrying(send)

    def _once(self, func: Any) -> Any:
        try:
            return func()
        except OdooTimeoutError:
            if self._run_left() <= 0:
                raise self._run_over() from None
            raise

    @property
    def write_calls(self) -> int:
        return sum(self.calls[m] for m in WRITES)

    def _retrying(self, func: Any) -> Any:
        retrying = Retrying(stop=stop_after_attempt(self.config.retry_attempts), reraise=True,
                            wait=wait_exponential_jitter(multiplier=self._retry_wait, max=5.0, jitter=self._retry_wait),
                            retry=retry_if_exception(lambda e: isinstance(e, OdooError) and e.transient
                                                     and self._run_left() > 0),
                            before_sleep=lambda state: logger.warning("Odoo call failed (%s); retrying",
                                                                      state.outcome and state.outcome.exception()))
        try:
            return retrying(func)
        except OdooTimeoutError:
            if self._run_left() <= 0:  # the call was cut by the run's deadline, not its own
                raise self._run_over() from None
            raise


def _major(version: str) -> int:
    """16 from "16.0", 17 from "saas~17.2": the protocol depends on it."""
    head = version.split(".")[0].split("~")[-1].replace("saas", "")
    if not head.isdigit() or len(head) > 3:
        raise OdooAnswerError(f"Odoo's version {version[:40]!r} is not a version number")
    return int(head)


def _context(context: dict[str, Any] | None) -> dict[str, Any]:
    """The ``context`` keyword only when there is one: Odoo's own default applies otherwise."""
    return {"context": context} if context else {}


def get_client(config: OdooSettings | None = None) -> OdooClient:
    return OdooClient(config or settings_from_django())
