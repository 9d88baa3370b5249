"""Run-time tunables: the one reader and writer of ``tds_configuration``.

Each tunable is declared once in ``sync/tunables.py``: its key (the name of its environment
setting, e.g. ``TDS_IMAGE_CONCURRENCY``), schema and who may change it (``access.py``).
``config_get(key)`` returns the database value when there is a valid one, else the Django setting
(from the environment). A value that breaks the schema is refused by ``config_set`` (and by the
admin form) with a message naming what is allowed, and ignored with a log line when it reaches the
table some other way. ``config_reset`` deletes the row: the environment's value applies again.
Both check the user when one is given and leave an audit entry. Rows are read all at once and kept
for a few seconds per process; a save or delete through the ORM clears that at once (signals wired
in ``sync/apps.py``), so the schedules follow a saved change.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sync.config.access import config_access_require, config_audit
from sync.models import Configuration
from sync.tunables import TUNABLES, Tunable, config_checks, config_declared

__all__ = ["TUNABLES", "Tunable", "config_clear_cache", "config_get", "config_items", "config_reset", "config_set"]

logger = logging.getLogger("tds.config")
CACHE_SECONDS = 5.0


_cache: dict[str, Any] = {"at": float("-inf"), "rows": {}}
_lock = threading.Lock()


def config_get(key: str) -> Any:
    """The valid database value of a declared tunable, else its setting from the environment."""
    tunable = TUNABLES[key]  # KeyError: not a declared tunable
    rows = _rows()
    if key in rows:
        try:
            return tunable.check(rows[key])
        except ValidationError as exc:
            logger.warning("tds_configuration %s ignored, using the environment's value: %s", key, exc.messages[0])
    return tunable.default()


def config_set(key: str, value: Any, *, description: str = "", by: Any = None, source: str = "code") -> Any:
    """Validate and save a tunable; returns the value as stored (canonical spelling).

    ValidationError with a clear message when the value breaks its schema or a cross-setting
    check (the API budget); ConfigAccessDenied when ``by`` (a user) may not change it.
    """
    tunable = config_declared(key)
    if by is not None:
        config_access_require(by, key)
    checked = tunable.check(value)
    for extra in config_checks:
        extra(key, checked)
    with transaction.atomic():
        row = Configuration.objects.select_for_update().filter(key=key).first()
        if row is not None and row.value == checked and description in ("", row.description):
            return checked  # nothing changes: no write, no audit entry
        old = row.value if row is not None else tunable.default()
        Configuration.objects.update_or_create(
            key=key, defaults={"value": checked, "description": description or tunable.description})
        config_audit(key=key, action="update" if row is not None else "create", old=old, new=checked,
                     actor=_actor(by), source=source)
    config_clear_cache()
    return checked


def config_reset(key: str, *, by: Any = None, source: str = "code") -> bool:
    """Delete the stored value so the environment's applies again; False when none was stored.

    The environment's value passes the cross-setting checks first (a reset may raise an interval).
    A row of an undeclared key (written some other way) may be removed too, by a superuser.
    """
    if by is not None:
        config_access_require(by, key)
    if "\x00" in key or len(key) > (Configuration._meta.get_field("key").max_length or 0):
        config_declared(key)  # no row can hold such a key; the database would refuse the lookup itself
    if not Configuration.objects.filter(key=key).exists():
        config_declared(key)  # an unknown key with no row: say so
        return False
    tunable = TUNABLES.get(key)
    default = tunable.default() if tunable else None
    for extra in config_checks if tunable else ():
        extra(key, default)
    with transaction.atomic():
        row = Configuration.objects.select_for_update().filter(key=key).first()
        if row is None:
            return False
        row.delete()
        config_audit(key=key[:64], action="delete", old=row.value, new=default, actor=_actor(by), source=source)
    config_clear_cache()
    return True


def config_items() -> list[dict[str, Any]]:
    """Every tunable with its current value, where that comes from, its default and bounds.

    ``stored``: a row exists (also when it is ignored for breaking the schema: a reset removes it)."""
    rows = _rows()
    items = []
    for key, tunable in TUNABLES.items():
        value = config_get(key)
        from_db = key in rows and value == _checked_or_none(tunable, rows[key])
        items.append({"key": key, "value": value, "source": "database" if from_db else "environment",
                      "default": tunable.default(), "type": tunable.kind.__name__, "low": tunable.low,
                      "high": tunable.high, "description": tunable.description, "access": tunable.access,
                      "stored": key in rows})
    return items


def config_clear_cache(*args: Any, **kwargs: Any) -> None:
    """Forget the cached rows (also a post_save/post_delete receiver of tds_configuration)."""
    with _lock:
        _cache["at"] = float("-inf")


def _actor(user: Any) -> str:
    return user.get_username() if user is not None else ""


def _checked_or_none(tunable: Tunable, value: Any) -> Any:
    try:
        return tunable.check(value)
    except ValidationError:
        return None


def _rows() -> dict[str, Any]:
    now = time.monotonic()
    with _lock:
        if now - _cache["at"] < CACHE_SECONDS:
            return _cache["rows"]
    rows = dict(Configuration.objects.filter(key__in=list(TUNABLES)).values_list("key", "value"))
    with _lock:
        _cache.update(at=now, rows=rows)
    return rows
