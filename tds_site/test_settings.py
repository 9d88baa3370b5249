"""Settings for the test suite: the real settings, with the Zoho sandbox on.

Tests talk to the built-in sandbox over loopback HTTP, never to a real Zoho.
DATABASE_URL and REDIS_URL still come from the environment, so CI runs the
same suite against PostgreSQL and Redis.
"""
import os
import secrets

os.environ.setdefault("ZOHO_SANDBOX", "true")
# A real key per test session (never the public development key), inherited by the clusters and
# servers the tests start, so they read what this process signs.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ZOHO_WEBHOOK_SECRET", "sandbox-webhook-secret")

from tds_site.settings import *  # noqa: E402, F403
from tds_site.settings import BASE_DIR, LOGGING  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"
LOGS_DIR = BASE_DIR / ".test-logs"
LOGGING["root"]["level"] = "ERROR"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
