"""Typed Odoo errors: every failure the client raises is one of these.

Each message is one line a user can act on. Odoo's own faults carry a server traceback;
the client keeps only its last line (the exception's message), never the API key.
"""
from __future__ import annotations


class OdooError(Exception):
    """Base class; `transient` says whether trying again later can help."""

    transient = False


class OdooTransientError(OdooError):
    """Connection refused or reset, timeouts, 502/503/504: worth another try."""

    transient = True


class OdooConfigError(OdooError):
    """Settings missing or refused before anything was sent (or the company currency is wrong)."""


class OdooAuthError(OdooError):
    """Bad login or API key: authenticate answered False, or JSON-2 answered 401."""


class OdooDatabaseError(OdooError):
    """The database named in ODOO_DB does not exist on the server."""


class OdooMissingError(OdooError):
    """A model, method or field this sync needs does not exist on the server."""


class OdooAccessError(OdooError):
    """The user may not read or write a model (AccessError / AccessDenied)."""


class OdooValidationError(OdooError):
    """Odoo refused the values (ValidationError / UserError): nothing of that call was saved."""


class OdooProtocolError(OdooError):
    """An answer that is not what Odoo's external API documents (HTML page, bad JSON)."""


class OdooTimeoutError(OdooTransientError):
    """One call did not finish within its deadline (ODOO_TIMEOUT_SECONDS), however the server dripped it."""


class OdooRunTimeoutError(OdooError):
    """The run as a whole passed ODOO_RUN_TIMEOUT_SECONDS: it stops; the next run takes over."""


class OdooAnswerTooLargeError(OdooProtocolError):
    """An answer bigger than ODOO_MAX_ANSWER_BYTES: refused before it is all in memory."""


class OdooAnswerError(OdooProtocolError):
    """An answer of the wrong shape or types (a list where a record is due, a name that is a number...)."""
