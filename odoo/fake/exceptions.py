"""Odoo's exception classes as the external API exposes them (odoo.exceptions).

The XML-RPC layer turns them into integer fault codes; JSON-2 into HTTP statuses with a
`{name, message, arguments, context, debug}` body. `name` is the class's dotted path, as Odoo sends it.
"""
from __future__ import annotations


class UserError(Exception):
    odoo_name = "odoo.exceptions.UserError"


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"


class AccessDenied(Exception):
    odoo_name = "odoo.exceptions.AccessDenied"

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class AccessError(Exception):
    odoo_name = "odoo.exceptions.AccessError"


class DatabaseMissing(Exception):
    """psycopg2's OperationalError when the named database does not exist."""

    odoo_name = "psycopg2.OperationalError"

    def __init__(self, db: str) -> None:
        super().__init__(f'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                         f'FATAL:  database "{db}" does not exist')
