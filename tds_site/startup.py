"""The web servers' start: the application, or one line and exit code 3 (gunicorn's "worker failed
to boot", which stops the server instead of restarting workers forever) when the configuration
cannot serve: a bad setting, no SECRET_KEY or a weak one with DEBUG off, static files not collected.
What it can serve but should not (/metrics open to anyone) is one warning line on stderr.
``refuse`` is the one way a process stops for its configuration (the broker readers use it too)."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

from django.core.exceptions import ImproperlyConfigured

App = TypeVar("App")


def application_or_exit(build: Callable[[], App]) -> App:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tds_site.settings")
    try:
        application = build()
    except ImproperlyConfigured as exc:
        refuse(str(exc))
    from tds_site.checks import startup_errors, startup_warnings  # needs the settings loaded above

    for message in startup_errors():
        refuse(message)
    for message in startup_warnings():
        print(f"TDS configuration warning: {message}", file=sys.stderr)
    return application


def refuse(message: str) -> NoReturn:
    print(f"TDS configuration error: {message}", file=sys.stderr)
    raise SystemExit(3)
