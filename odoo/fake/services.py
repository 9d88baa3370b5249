"""Odoo's RPC services (common, db, object) and call_kw: the one dispatch every protocol of the fake uses.

XML-RPC (/xmlrpc/2/<service>) and JSON-RPC (/jsonrpc) dispatch `service.method(*params)` here;
the web client's /web/dataset/call_kw and JSON-2 reach the same `call`/`run` with a model's
method, so each ORM method has one implementation (methods.py) whatever the wire.

- common: version, about, login, authenticate (False for bad credentials, not an error);
  anything else is "Method not found".
- db: list, db_exist, server_version, list_lang. The other methods need the master password and
  the fake has none, so they answer AccessDenied: it does not create, copy or drop databases.
- object: execute, execute_kw with the user's password or API key (AccessDenied otherwise), the
  database first (psycopg2's error for an unknown one), then the model (UserError "Object ...
  doesn't exist"), then the method (AccessError for a private name, AttributeError if unknown).
  Up to 18 a private name is refused before the model is looked at, as Odoo checks it first.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from odoo.fake.exceptions import AccessDenied, DatabaseMissing, UserError
from odoo.fake.methods import bind, check_method_name, lookup
from odoo.fake.orm import Database

DB_FREE = ("db_exist", "list", "list_lang", "server_version")
DB_MASTER = ("create_database", "duplicate_database", "drop", "dump", "restore", "rename", "change_admin_password",
             "migrate_databases", "list_countries")


class Services:
    def __init__(self, db: Database, *, login: str, password: str, api_key: str, uid: int,
                 record: Callable[[str, str, int], None]) -> None:
        self.db, self.login, self.uid = db, login, uid
        self.password, self.api_key = password, api_key
        self.record = record  # counts each ORM call: record(model, method, n_records)

    def dispatch(self, service: str, method: str, params: list[Any]) -> Any:
        """Odoo's dispatch_rpc; an unknown service is a KeyError, as Odoo's lookup of its dispatchers."""
        handlers = {"common": self._common, "db": self._db, "object": self._object}
        return handlers[service](method, list(params))

    # --- credentials -----------------------------------------------------------------

    def check_database(self, name: str) -> None:
        if name != self.db.name:
            raise DatabaseMissing(name)

    def authenticate(self, db: str, login: str, password: str, *, interactive: bool) -> int | bool:
        """The uid, or False. An API key stands in for the password over RPC, never in a web login."""
        self.check_database(db)
        secrets = (self.password,) if interactive else (self.password, self.api_key)
        return self.uid if login == self.login and password in secrets else False

    def check_uid(self, uid: Any, password: Any) -> None:
        if not password or int(uid) != self.uid or password not in (self.password, self.api_key):
            raise AccessDenied()

    # --- common and db ---------------------------------------------------------------

    def version(self) -> dict[str, Any]:
        p = self.db.profile
        return {"server_version": p.server_version, "server_version_info": p.version_info,
                "server_serie": p.server_version, "protocol_version": 1}

    def _common(self, method: str, params: list[Any]) -> Any:
        handlers: dict[str, Callable[..., Any]] = {
            "version": self.version, "about": _about(self.db.profile.server_version), "login": self._login,
            "authenticate": self._authenticate}
        handler = handlers.get(method)
        if handler is None:
            raise Exception(f"Method not found: {method}")  # Odoo raises a bare Exception
        return handler(*params)

    def _login(self, db: str, login: str, password: str) -> int | bool:
        return self._authenticate(db, login, password, None)

    def _authenticate(self, db: str, login: str, password: str, user_agent_env: Any) -> int | bool:
        return self.authenticate(db, login, password, interactive=False)

    def _db(self, method: str, params: list[Any]) -> Any:
        handlers: dict[str, Callable[..., Any]] = {
            "list": lambda document=False: [self.db.name], "db_exist": lambda db_name: db_name == self.db.name,
            "server_version": lambda: self.db.profile.server_version, "list_lang": lambda: [["en_US", "English (US)"]]}
        if method in DB_FREE:
            return handlers[method](*params)
        if method in DB_MASTER:
            raise AccessDenied()  # check_super: no master password matches
        raise KeyError(f"Method not found: {method}")

    # --- object ----------------------------------------------------------------------

    def _object(self, method: str, params: list[Any]) -> Any:
        db, uid, password = params[0], params[1], params[2]
        self.check_database(db)
        self.check_uid(uid, password)
        if method == "execute":
            model, name, *args = params[3:]
            return self.execute(model, name, args, {})
        if method == "execute_kw":
            return self._execute_kw(*params[3:])
        raise NameError(f"Method not available {method}")

    def _execute_kw(self, obj: str, method: str, args: list[Any], kw: dict[str, Any] | None = None) -> Any:
        return self.execute(obj, method, list(args), dict(kw or {}))

    def execute(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self.db.profile.major < 19:
            check_method_name(self.db.profile, model, method)
        if model not in self.db.fields:
            raise UserError(f"Object {model} doesn't exist")
        return self.call(model, method, args, kwargs)

    def call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Odoo's call_kw: `args` positionally (ids first for a record method), `kwargs` by name, `context` apart."""
        func, _takes_ids = lookup(self.db.profile, model, method)
        named = dict(kwargs)
        context = {**(named.pop("context", None) or {}), "uid": self.uid}
        return self.run(func, model, method, context, bind(func, list(args), named))

    def run(self, func: Callable[..., Any], model: str, method: str, context: dict[str, Any],
            bound: inspect.BoundArguments) -> Any:
        result = func(self.db, model, context, *bound.args, **bound.kwargs)
        first = bound.args[0] if bound.args else None
        self.record(model, method, len(first) if method in ("create", "write") and isinstance(first, list) else 1)
        return result


def _about(version: str) -> Callable[..., Any]:
    def about(extended: bool = False) -> Any:
        info = "See http://openerp.com"
        return [info, version] if extended else info

    return about
