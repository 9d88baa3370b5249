"""Odoo connection settings, read from Django settings (ODOO_*) and checked before any call."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odoo.errors import OdooConfigError

REQUIRED = ("ODOO_URL", "ODOO_DB", "ODOO_USERNAME", "ODOO_API_KEY")


@dataclass(frozen=True)
class OdooSettings:
    url: str
    db: str
    username: str
    api_key: str
    timeout: float = 30.0  # a total deadline per HTTP call, however slowly the answer comes
    retry_attempts: int = 4
    run_timeout: float = 1800.0  # a total deadline per run, retries and waits included
    max_answer_bytes: int = 4 * 1024 * 1024

    def __repr__(self) -> str:  # never show the API key in logs or tracebacks
        return f"OdooSettings(url={self.url!r}, db={self.db!r}, username={self.username!r})"


def settings_from_django(source: Any = None) -> OdooSettings:
    if source is None:
        from django.conf import settings as source
    missing = [name for name in REQUIRED if not getattr(source, name, "")]
    if missing:
        raise OdooConfigError(f"Odoo is not configured: set {', '.join(missing)}")
    return OdooSettings(url=source.ODOO_URL.rstrip("/"), db=source.ODOO_DB, username=source.ODOO_USERNAME,
                        api_key=source.ODOO_API_KEY, timeout=float(getattr(source, "ODOO_TIMEOUT_SECONDS", 30.0)),
                        run_timeout=float(getattr(source, "ODOO_RUN_TIMEOUT_SECONDS", 1800.0)),
                        max_answer_bytes=int(getattr(source, "ODOO_MAX_ANSWER_BYTES", 4 * 1024 * 1024)))
