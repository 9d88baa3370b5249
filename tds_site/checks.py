"""System checks for how the site is deployed: `manage.py check --deploy`, and web start-up (wsgi.py, asgi.py).

Deploy checks only, so that one-shot commands and workers, which serve no pages, are not stopped by them.
"""
from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning
from django.core.mail.backends import smtp
from django.utils.module_loading import import_string

from tds_site.secret_key import MISSING, secret_key_missing

# Not the "staticfiles" tag: collectstatic runs those checks, and it is the cure for this one.
TAG = "tds_deploy"


@register(TAG, deploy=True)
def check_static_manifest(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """tds.E001: manifest storage is on but collectstatic never ran (every admin page would answer 500)."""
    storage = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    if not issubclass(storage, ManifestFilesMixin):
        return []
    manifest = Path(settings.STATIC_ROOT) / storage.manifest_name
    if manifest.is_file():
        return []
    return [Error(f"static files are not collected: {manifest} is missing; run `manage.py collectstatic --noinput` "
                  "before starting the web server", id="tds.E001")]


@register(TAG, deploy=True)
def check_secret_key_set(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """tds.E002: no SECRET_KEY with DEBUG off (this process runs on a random key of its own; a weak one
    never gets this far: settings.py refuses it)."""
    if not secret_key_missing():
        return []
    return [Error(f"{MISSING}: the web server and the workers refuse to start without it", id="tds.E002")]


@register(TAG, deploy=True)
def check_alert_mail(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """tds.W001, tds.W002: alert e-mails are configured, but the sender or the relay is still Django's default,
    which most relays refuse and nothing but the alert's notify_error and a log line would show."""
    if not settings.TDS_ALERT_EMAILS:
        return []
    found = []
    if parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower().endswith("@localhost"):
        found.append(CheckWarning(f"alert e-mail is sent from {settings.DEFAULT_FROM_EMAIL}, which most relays refuse",
                                  hint="set DEFAULT_FROM_EMAIL to an address the relay accepts", id="tds.W001"))
    if not issubclass(import_string(settings.EMAIL_BACKEND), smtp.EmailBackend):
        found.append(CheckWarning(f"alert e-mail goes to {settings.EMAIL_BACKEND}, not to a relay",
                                  hint="set EMAIL_URL to smtp+tls://user:password@relay:587", id="tds.W002"))
    elif not settings.TDS_EMAIL_SOURCE:
        found.append(CheckWarning("alert e-mail goes to an MTA on localhost:25: no EMAIL_URL or EMAIL_HOST is set",
                                  hint="set EMAIL_URL to smtp+tls://user:password@relay:587", id="tds.W002"))
    return found


@register(TAG, deploy=True)
def check_metrics_token(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """tds.W003: /metrics answers anyone (run counts, queue depths, Zoho budget) when no TDS_METRICS_TOKEN is
    set; with DEBUG on that is a developer's machine, with DEBUG off it is a deployment."""
    if settings.DEBUG or settings.TDS_METRICS_TOKEN:
        return []
    return [CheckWarning(METRICS_OPEN, hint="set TDS_METRICS_TOKEN and give it to Prometheus as a bearer token "
                                            "(docs/metrics.md), or keep /metrics off the public network",
                         id="tds.W003")]


METRICS_OPEN = "/metrics is open to anyone: TDS_METRICS_TOKEN is not set and DEBUG is off"


def startup_warnings() -> list[str]:
    """What a web process starts with but should not, as one-line messages (printed, not refused)."""
    return [warning.msg for warning in check_metrics_token()]


def startup_errors() -> list[str]:
    """What stops a web process from starting, as one-line messages (wsgi.py and asgi.py exit on any)."""
    errors = [MISSING] if secret_key_missing() else []
    return errors + [error.msg for error in check_static_manifest()]
