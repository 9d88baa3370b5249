"""Which SECRET_KEY a process runs with, and when it must refuse to start.

The key signs sessions, password-reset links and, through django-q2, every task put on the broker
(a pickle: whoever can sign one can run code in the cluster). So a key anyone can read is never used
while DEBUG is off:

- DEBUG on: the configured key, or the built-in development key (a local look, `scripts/serve`).
- DEBUG off with a key: it must pass Django's `check --deploy` criteria (at least 50 characters, at
  least 5 different ones, not `django-insecure-…`) and must not be the built-in key; otherwise every
  process stops with one line naming SECRET_KEY.
- DEBUG off without a key: the process gets a random key of its own, so one-shot commands (migrate,
  tds_sync, tds_demo …) work on a fresh machine and sign nothing anyone else can forge or read.
  ``secret_key_missing()`` is then true: the web server and every process that reads the broker
  refuse to start (tds_site/startup.py, tds_site/broker.py), and tasks this process would put on the
  broker are refused, since no cluster could read them.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

# Public (it is in this repository): only ever used with DEBUG on.
DEVELOPMENT_KEY = "django-insecure-tds-local-development-key-change-me-0123456789"
HOW_TO_MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
MISSING = "SECRET_KEY must be set when DEBUG is off"


def secret_key_weakness(key: str) -> str:
    """Why ``key`` must not be used in production, or "" when it may."""
    if key == DEVELOPMENT_KEY:
        return "is the built-in development key, which is public"
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"starts with {SECRET_KEY_INSECURE_PREFIX!r} (a generated development key)"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"has {len(key)} characters; it needs at least {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different characters"
    return ""


def secret_key_setting(*, configured: str, debug: bool) -> tuple[str, bool]:
    """(SECRET_KEY, missing) for settings.py; ImproperlyConfigured for a weak key with DEBUG off."""
    if debug:
        return configured or DEVELOPMENT_KEY, False
    if not configured:
        return secrets.token_urlsafe(64), True
    weakness = secret_key_weakness(configured)
    if weakness:
        raise ImproperlyConfigured(
            f"SECRET_KEY {weakness}; with DEBUG off use a long random one, e.g. {HOW_TO_MAKE_ONE}")
    return configured, False


def secret_key_missing() -> bool:
    """True in a process that runs on its own random key (DEBUG off, no SECRET_KEY)."""
    return settings.TDS_SECRET_KEY_MISSING
