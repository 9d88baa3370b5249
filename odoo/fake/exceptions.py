"""Odoo's exception classes as the external API exposes them (odoo.exceptions, odoo.http, werkzeug).

The hierarchy is Odoo's: AccessDenied, AccessError, MissingError and ValidationError are all
UserErrors. XML-RPC turns them into integer fault codes (AccessError 4, AccessDenied 3, other
UserErrors 2, anything else 1); JSON-RPC into an error envelope naming the class by its dotted
path (`odoo_name`); JSON-2 into the HTTP status Odoo 19 attaches to each class (`http_status`).
"""
from __future__ import annotations


class UserError(Exception):
    odoo_name = "odoo.exceptions.UserError"
    http_status = 422


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    http_status = 404


class AccessDenied(UserError):
    """Bad login, password or API key; Odoo shows no traceback for it."""

    odoo_name = "odoo.exceptions.AccessDenied"
    http_status = 403

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    http_status = 403


class DatabaseMissing(Exception):
    """psycopg2's OperationalError when the named database does not exist."""

    odoo_name = "psycopg2.OperationalError"

    def __init__(self, db: str) -> None:
        super().__init__(f'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                         f'FATAL:  database "{db}" does not exist')


class SessionExpired(Exception):
    """A web route that needs a logged-in session was called without one."""

    odoo_name = "odoo.http.SessionExpiredException"

    def __init__(self) -> None:
        super().__init__("Session expired")


class NotFound(Exception):
    """werkzeug's NotFound, as the web routes raise it (e.g. call_kw on an unknown model)."""

    odoo_name = "werkzeug.exceptions.NotFound"

    def __init__(self) -> None:
        super().__init__()

    def __str__(self) -> str:
        return ("404 Not Found: The requested URL was not found on the server. If you entered the URL manually "
                "please check your spelling and try again.")
