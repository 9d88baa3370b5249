"""Settings for the test suite: the real settings, with the Zoho sandbox on.

Tests talk to the built-in sandbox over loopback HTTP, never to a real Zoho.
DATABASE_URL and REDIS_URL still come from the environment, so CI runs the
same suite against PostgreSQL and Redis.
"""
import os
import secrets
from urllib.parse import urlsplit, urlunsplit


def _redis_for_worker(url: str, worker: str) -> str:
    """REDIS_URL's database number, counted down by the xdist worker's number (gw1 of db 15 uses 14):
    parallel workers sharing one cache, broker and rate-limit keys would see each other's state."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base - int(worker[2:])) % 16}"))


# Once per xdist worker: the clusters and servers a test starts inherit the environment (the worker's
# name included) and must land on the same database, not be counted down again.
if (os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw")
        and not os.environ.get("TDS_TEST_REDIS_PER_WORKER")):
    os.environ["REDIS_URL"] = _redis_for_worker(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])
    os.environ["TDS_TEST_REDIS_PER_WORKER"] = "1"
os.environ.setdefault("ZOHO_SANDBOX", "true")
# A real key per test session (never the public development key), inherited by the clusters and
# servers the tests start, so they read what this process signs.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ZOHO_WEBHOOK_SECRET", "sandbox-webhook-secret")
# Every read answered afresh, here and in the servers the tests start: a test reads what it just wrote.
os.environ.setdefault("TDS_API_READ_CACHE_SECONDS", "0")

from tds_site.settings import *  # noqa: E402, F403
from tds_site.settings import BASE_DIR, LOGGING, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"
LOGS_DIR = BASE_DIR / ".test-logs"
LOGGING["root"]["level"] = "ERROR"
STORAGES = {
    "default": STORAGES["default"],  # the local folder, or the bucket a test's MEDIA_STORAGE names
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
