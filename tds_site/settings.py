"""TDS settings: one file, driven by the environment (see .env.example).

With no variables at all this gives a working local set-up: SQLite, the
django-q2 ORM broker, a local-memory cache and DEBUG off.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tds_site import export_formats
from tds_site.env import (
    env,
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_str,
    env_url,
)
from tds_site.mail_env import env_address, env_addresses, env_cafile, mail_from_env
from tds_site.media_storage import media_storage_from_env
from tds_site.secret_key import secret_key_setting

BASE_DIR = Path(__file__).resolve().parent.parent
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env_bool("DEBUG", False)
# The built-in development key only with DEBUG on; with DEBUG off a weak key stops every process, and
# no key gives this process a random one of its own (tds_site/secret_key.py says who then refuses).
SECRET_KEY, TDS_SECRET_KEY_MISSING = secret_key_setting(configured=env_str("SECRET_KEY"), debug=DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    # Before django_q: its qcluster/qinfo/qmonitor/qmemory are overridden to refuse to run without SECRET_KEY.
    "tds_site.apps.SiteConfig",
    "django_q",
    "axes",
    "zoho",
    "sync",
    "odoo",
    "dashboard",
]

MIDDLEWARE = [
    # First, so it sees every answer: under /api/ every error is JSON and no exception is a 500 page.
    "sync.api.exceptions.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tds_site.urls"
WSGI_APPLICATION = "tds_site.wsgi.application"
ASGI_APPLICATION = "tds_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Storage ---------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # Server-side binding with prepared statements doubles executemany
    # throughput for the bulk upserts.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    # A kept connection is checked (SELECT 1) before a request's first query, and replaced when the
    # server has dropped it (a restart, a failover, pg_terminate_backend): no 500 for a dead socket.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # A transaction that reads before it writes ("BEGIN" deferred) cannot take the write lock while another
    # process holds it: SQLite answers "database is locked" at once, without waiting out the timeout (waiting
    # could deadlock). Every transaction takes the write lock when it begins instead, so it waits its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
else:
    # "shared" must be visible to every worker process: the Zoho token lives
    # there, so without Redis it is a table in the database.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tds-default"},
        "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tds_cache"},
    }

MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Django serves MEDIA_ROOT in development only; production's web server does (README).
TDS_SERVE_MEDIA = env_bool("TDS_SERVE_MEDIA", DEBUG)
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
TDS_MANIFEST_STATIC = env_bool("TDS_MANIFEST_STATIC", not DEBUG and IS_POSTGRES)
# MEDIA_STORAGE: "local" (MEDIA_ROOT on this machine's disk) or "s3" (a bucket every machine shares;
# AWS_STORAGE_BUCKET_NAME and the other AWS_* variables, tds_site/media_storage.py).
STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if TDS_MANIFEST_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without the manifest, whitenoise serves the apps' static files where they are, so a server started
# without collectstatic still has its CSS. With it, `collectstatic` must run first (tds_site/checks.py).
WHITENOISE_USE_FINDERS = not TDS_MANIFEST_STATIC
LOGS_DIR = Path(env_str("TDS_LOGS_DIR", str(BASE_DIR / "logs")))

# --- Auth, i18n ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# Brute-force lock-out (django-axes) for every login (/admin/ and /tds-admin/ share the admin's login):
# after AXES_FAILURE_LIMIT wrong passwords from one address for one user, or from one address at all,
# that address is refused for AXES_COOLOFF_TIME. Locks are listed in the admin ("Access attempts");
# `manage.py axes_reset` (or axes_reset_username / axes_reset_ip) lifts them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("TDS_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TDS_LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=100_000))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tds_site.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "axes/locked_out.html"
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Security (production-like values come from the environment) -------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
# With HSTS on, subdomains and preloading follow unless switched off (check --deploy W005, W021).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
TDS_BEHIND_PROXY = env_bool("TDS_BEHIND_PROXY", False)
if TDS_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Webhook bodies above 1 MB are refused by the view with a JSON 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Zoho -------------------------------------------------------------------
ZOHO_DATA_CENTRES = ("com", "eu", "in", "com.au", "jp", "ca", "sa", "uk", "com.cn")
ZOHO_SANDBOX = env_bool("ZOHO_SANDBOX", False)
_sandbox_default = (lambda value: value if ZOHO_SANDBOX else "")  # noqa: E731
ZOHO_CLIENT_ID = env_str("ZOHO_CLIENT_ID", _sandbox_default("sandbox-client"))
ZOHO_CLIENT_SECRET = env_str("ZOHO_CLIENT_SECRET", _sandbox_default("sandbox-secret"))
ZOHO_REFRESH_TOKEN = env_str("ZOHO_REFRESH_TOKEN", _sandbox_default("sandbox-refresh"))
ZOHO_ORGANIZATION_ID = env_str("ZOHO_ORGANIZATION_ID", _sandbox_default("10234695"))
ZOHO_DC = env_choice("ZOHO_DC", "com", ZOHO_DATA_CENTRES)
ZOHO_ACCOUNTS_URL = env_url("ZOHO_ACCOUNTS_URL")
# With ZOHO_SANDBOX the client talks to the sandbox here (`bash scripts/sandbox`), never to a real Zoho host.
ZOHO_SANDBOX_URL = env_url("ZOHO_SANDBOX_URL", "http://127.0.0.1:8765")
ZOHO_WEBHOOK_SECRET = env_str("ZOHO_WEBHOOK_SECRET", _sandbox_default("sandbox-webhook-secret"))
ZOHO_WEBHOOK_AUTH = env_choice("ZOHO_WEBHOOK_AUTH", "hmac", ("hmac", "token"))
ZOHO_WEBHOOK_TOKEN_HEADER = env_str("ZOHO_WEBHOOK_TOKEN_HEADER", "X-TDS-Webhook-Token")
ZOHO_WEBHOOK_TOKEN_PARAM = env_str("ZOHO_WEBHOOK_TOKEN_PARAM", "token")
# A token in the query string lands in every access log on the way (gunicorn's is scrubbed, see
# tds_site/gunicorn.conf.py; nginx's and Zoho's are not): header only unless this is switched on.
ZOHO_WEBHOOK_TOKEN_IN_QUERY = env_bool("ZOHO_WEBHOOK_TOKEN_IN_QUERY", False)
ZOHO_RATE_LIMIT_PER_MINUTE = env_int("ZOHO_RATE_LIMIT_PER_MINUTE", 100, minimum=0, maximum=100_000)
ZOHO_MAX_CONCURRENCY = env_int("ZOHO_MAX_CONCURRENCY", 5, minimum=1, maximum=100)
ZOHO_TIMEOUT_SECONDS = env_float("ZOHO_TIMEOUT_SECONDS", 30.0, minimum=0.1, maximum=600)
ZOHO_DAILY_QUOTA_RESERVE = env_int("ZOHO_DAILY_QUOTA_RESERVE", 50, minimum=0)
ZOHO_RETRY_ATTEMPTS = env_int("ZOHO_RETRY_ATTEMPTS", 5, minimum=1, maximum=20)
ZOHO_RETRY_BASE_SECONDS = env_float("ZOHO_RETRY_BASE_SECONDS", 0.5, minimum=0)
ZOHO_RETRY_MAX_SECONDS = env_float("ZOHO_RETRY_MAX_SECONDS", 30.0, minimum=0)
ZOHO_RATE_LIMIT_WAIT_SECONDS = env_float("ZOHO_RATE_LIMIT_WAIT_SECONDS", 60.0, minimum=0)
ZOHO_QUOTA_MAX_WAIT_SECONDS = env_float("ZOHO_QUOTA_MAX_WAIT_SECONDS", 300.0, minimum=0)
ZOHO_CIRCUIT_FAILURES = env_int("ZOHO_CIRCUIT_FAILURES", 5, minimum=1)
ZOHO_CIRCUIT_COOLDOWN_SECONDS = env_float("ZOHO_CIRCUIT_COOLDOWN_SECONDS", 60.0, minimum=1)
ZOHO_TOKEN_REFRESH_MARGIN_SECONDS = env_int("ZOHO_TOKEN_REFRESH_MARGIN_SECONDS", 300, minimum=0)
# After Zoho refuses a new access token ("Access Denied"), no refresh is tried for this long.
ZOHO_TOKEN_WINDOW_SECONDS = env_float("ZOHO_TOKEN_WINDOW_SECONDS", 600.0, minimum=1)

# --- TDS --------------------------------------------------------------
TDS_WORKER_COUNT = env_int("TDS_WORKER_COUNT", 3, minimum=1, maximum=64)
TDS_BATCH_SIZE = env_int("TDS_BATCH_SIZE", 100, minimum=1, maximum=5000)
TDS_RETRY_MAX_ATTEMPTS = env_int("TDS_RETRY_MAX_ATTEMPTS", 5, minimum=1, maximum=50)
TDS_RETRY_BACKOFF_SECONDS = env_float("TDS_RETRY_BACKOFF_SECONDS", 60.0, minimum=0, maximum=86_400)
TDS_RETRY_BACKOFF_MAX_SECONDS = env_float("TDS_RETRY_BACKOFF_MAX_SECONDS", 3600.0, minimum=0)
TDS_ENABLE_AUTO_SYNC = env_bool("TDS_ENABLE_AUTO_SYNC", True)
TDS_STOCK_SYNC_INTERVAL_MINUTES = env_int("TDS_STOCK_SYNC_INTERVAL_MINUTES", 30, minimum=1, maximum=10_080)
TDS_COMPARE_INTERVAL_HOURS = env_int("TDS_COMPARE_INTERVAL_HOURS", 6, minimum=1, maximum=168)
TDS_LOG_LEVEL = env_choice("TDS_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
TDS_ENABLE_QUERY_LOGGING = env_bool("TDS_ENABLE_QUERY_LOGGING", False)
TDS_IMAGE_CONCURRENCY = env_int("TDS_IMAGE_CONCURRENCY", 10, minimum=1, maximum=64)
TDS_ALERT_EMAILS = env_addresses("TDS_ALERT_EMAILS")
TDS_ALERT_WEBHOOK_URL = env_url("TDS_ALERT_WEBHOOK_URL")
# Alerts, metrics, the Zoho API budget and retention: defaults of the tunables in sync/tunables.py.
TDS_ALERT_INTERVAL_MINUTES = env_int("TDS_ALERT_INTERVAL_MINUTES", 1, minimum=1)
# The scheduler's cluster sends database_unreachable once the database has not answered this long.
TDS_ALERT_DATABASE_DOWN_SECONDS = env_int("TDS_ALERT_DATABASE_DOWN_SECONDS", 10, minimum=1)
TDS_ALERT_QUEUE_PENDING_WARNING = env_int("TDS_ALERT_QUEUE_PENDING_WARNING", 50, minimum=0)
TDS_ALERT_QUEUE_PENDING_CRITICAL = env_int("TDS_ALERT_QUEUE_PENDING_CRITICAL", 200, minimum=0)
TDS_ALERT_QUEUE_FAILED_WARNING = env_int("TDS_ALERT_QUEUE_FAILED_WARNING", 10, minimum=0)
TDS_ALERT_QUEUE_FAILED_CRITICAL = env_int("TDS_ALERT_QUEUE_FAILED_CRITICAL", 50, minimum=0)
TDS_ALERT_SYNC_DELAY_MINUTES = env_int("TDS_ALERT_SYNC_DELAY_MINUTES", 30, minimum=1)
TDS_ALERT_SYNC_STOPPED_MINUTES = env_int("TDS_ALERT_SYNC_STOPPED_MINUTES", 120, minimum=1)
TDS_ALERT_QUOTA_USED_PERCENT = env_float("TDS_ALERT_QUOTA_USED_PERCENT", 90.0, minimum=1, maximum=100)
TDS_ALERT_DEAD_LETTERS_CRITICAL = env_int("TDS_ALERT_DEAD_LETTERS_CRITICAL", 20, minimum=0)
TDS_ALERT_CIRCUIT_OPEN_MINUTES = env_int("TDS_ALERT_CIRCUIT_OPEN_MINUTES", 5, minimum=1)
TDS_ALERT_WORKER_SILENT_MINUTES = env_int("TDS_ALERT_WORKER_SILENT_MINUTES", 5, minimum=1)
TDS_ALERT_SCHEDULE_MISSED_RUNS = env_int("TDS_ALERT_SCHEDULE_MISSED_RUNS", 2, minimum=1)
TDS_ALERT_IMAGE_COVERAGE_PERCENT = env_float("TDS_ALERT_IMAGE_COVERAGE_PERCENT", 95.0, minimum=0, maximum=100)
TDS_ALERT_RENOTIFY_MINUTES = env_int("TDS_ALERT_RENOTIFY_MINUTES", 60, minimum=1)
TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS = env_float("TDS_ALERT_WEBHOOK_TIMEOUT_SECONDS", 5.0, minimum=0.1, maximum=60)
# Zoho Books daily quota by plan: Free 1000, Standard 2000, Professional 5000, Premium and up 10000.
TDS_ZOHO_DAILY_QUOTA = env_int("TDS_ZOHO_DAILY_QUOTA", 2000, minimum=1)
TDS_ZOHO_BUDGET_MAX_PERCENT = env_float("TDS_ZOHO_BUDGET_MAX_PERCENT", 80.0, minimum=1, maximum=100)
TDS_ZOHO_WEBHOOK_RESERVE_PERCENT = env_float("TDS_ZOHO_WEBHOOK_RESERVE_PERCENT", 10.0, minimum=0, maximum=50)
TDS_RETENTION_QUEUE_DAYS = env_int("TDS_RETENTION_QUEUE_DAYS", 14, minimum=0)
TDS_RETENTION_INBOX_DAYS = env_int("TDS_RETENTION_INBOX_DAYS", 14, minimum=0)
TDS_RETENTION_LOGS_DAYS = env_int("TDS_RETENTION_LOGS_DAYS", 30, minimum=0)
TDS_RETENTION_DEAD_LETTERS_DAYS = env_int("TDS_RETENTION_DEAD_LETTERS_DAYS", 90, minimum=0)
TDS_RETENTION_ALERTS_DAYS = env_int("TDS_RETENTION_ALERTS_DAYS", 90, minimum=0)
TDS_RETENTION_RUNS_DAYS = env_int("TDS_RETENTION_RUNS_DAYS", 0, minimum=0)
TDS_RETENTION_AUDIT_DAYS = env_int("TDS_RETENTION_AUDIT_DAYS", 0, minimum=0)
TDS_METRICS_HOURLY_AFTER_HOURS = env_int("TDS_METRICS_HOURLY_AFTER_HOURS", 48, minimum=1)
TDS_METRICS_DAILY_AFTER_DAYS = env_int("TDS_METRICS_DAILY_AFTER_DAYS", 30, minimum=1)
# Bearer token that /metrics asks for; unset leaves it open (a private network's Prometheus).
TDS_METRICS_TOKEN = env_str("TDS_METRICS_TOKEN")
TDS_LEASE_SECONDS = env_int("TDS_LEASE_SECONDS", 300, minimum=5, maximum=86_400)
TDS_PULL_DB_BATCH_SIZE = env_int("TDS_PULL_DB_BATCH_SIZE", 1000, minimum=10, maximum=20_000)
TDS_WEBHOOK_MAX_BYTES = env_int("TDS_WEBHOOK_MAX_BYTES", 1024 * 1024, minimum=1024)
# 0 = a webhook never enqueues a drain itself (workers and schedules still drain).
TDS_WEBHOOK_KICK_SECONDS = env_float("TDS_WEBHOOK_KICK_SECONDS", 2.0, minimum=0)
TDS_DLQ_AUTO_RETRIES = env_int("TDS_DLQ_AUTO_RETRIES", 3, minimum=0, maximum=50)
# Minutes without a heartbeat after which the reaper fails a running run (a run-time tunable too).
TDS_RUN_HEARTBEAT_MINUTES = env_float("TDS_RUN_HEARTBEAT_MINUTES", 15.0, minimum=1, maximum=1440)
# Minutes a queued (pending) run may wait for a worker before the reaper fails it (a run-time tunable too).
TDS_PENDING_RUN_TIMEOUT_MINUTES = env_float("TDS_PENDING_RUN_TIMEOUT_MINUTES", 10.0, minimum=1, maximum=1440)
# Queue priority per entity over the registry's (a run-time tunable, set on the configuration page).
TDS_QUEUE_PRIORITIES: dict[str, int] = {}
# Custom-field labels that hold the Arabic name and description in Zoho.
TDS_ARABIC_NAME_FIELDS = env_list("TDS_ARABIC_NAME_FIELDS", ["name_ar", "Arabic Name", "cf_name_ar"])
TDS_ARABIC_DESCRIPTION_FIELDS = env_list(
    "TDS_ARABIC_DESCRIPTION_FIELDS", ["description_ar", "Arabic Description", "cf_description_ar"]
)

# --- E-mail (alert notices): tds_site/mail_env.py reads EMAIL_URL or its parts, and says which wins ------
_mail = mail_from_env()
EMAIL_BACKEND = _mail.backend
EMAIL_HOST, EMAIL_PORT = _mail.host, _mail.port
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _mail.user, _mail.password
EMAIL_USE_TLS, EMAIL_USE_SSL = _mail.use_tls, _mail.use_ssl
if _mail.file_path:
    EMAIL_FILE_PATH = _mail.file_path
# Where the relay came from ("EMAIL_URL", "EMAIL_HOST" or "": none given, Django's localhost:25).
TDS_EMAIL_SOURCE = _mail.source
# Per socket operation: a relay that stops answering costs an alert evaluation this long, not forever.
EMAIL_TIMEOUT = env_float("EMAIL_TIMEOUT", 10.0, minimum=1, maximum=300)
# CAs (PEM) trusted for the relay's certificate besides the system's (tds_site/smtp.py).
EMAIL_SSL_CAFILE = env_cafile("EMAIL_SSL_CAFILE")
DEFAULT_FROM_EMAIL = env_address("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = env_address("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Odoo -------------------------------------------------------------
ODOO_URL = env_url("ODOO_URL")
ODOO_DB = env_str("ODOO_DB")
ODOO_USERNAME = env_str("ODOO_USERNAME")
ODOO_API_KEY = env_str("ODOO_API_KEY")
ODOO_USD_TO_IQD = env_float("ODOO_USD_TO_IQD", 1500.0, minimum=0.0001)
ODOO_SYNC_INTERVAL = env_int("ODOO_SYNC_INTERVAL", 300, minimum=60)
# Decimals kept when converting USD to IQD: 0 = whole dinars (Odoo keeps at most 2 on list_price).
ODOO_PRICE_DECIMALS = env_int("ODOO_PRICE_DECIMALS", 0, minimum=0, maximum=2)
# Zoho unit -> Odoo unit name, e.g. "box=Box,pack=Pack of 6" (added to the built-in aliases: pcs -> Units ...).
ODOO_UNIT_MAP = env_list("ODOO_UNIT_MAP")
ODOO_TIMEOUT_SECONDS = env_float("ODOO_TIMEOUT_SECONDS", 30.0, minimum=0.1, maximum=600)
# A whole run (every call, retry and wait) stops past this; the next run goes on from where it stopped.
ODOO_RUN_TIMEOUT_SECONDS = env_float("ODOO_RUN_TIMEOUT_SECONDS", 1800.0, minimum=1.0, maximum=86400)
# An answer from Odoo larger than this is refused while it is read, never held whole in memory.
ODOO_MAX_ANSWER_BYTES = env_int("ODOO_MAX_ANSWER_BYTES", 4 * 1024 * 1024, minimum=1024, maximum=1024 * 1024 * 1024)

# --- django-q2 ----------------------------------------------------------------
# TDS keeps retries and dead letters in its own tables, so the broker must not
# redeliver on top of them: max_attempts=1, ack_failures, timeout < retry.
Q_CLUSTER: dict[str, Any] = {
    "name": "tds",
    "workers": TDS_WORKER_COUNT,
    "timeout": env_int("TDS_TASK_TIMEOUT_SECONDS", 1800, minimum=10),
    "retry": env_int("TDS_TASK_TIMEOUT_SECONDS", 1800, minimum=10) + 300,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 500,
    "label": "Task queue",
    "poll": 0.5,
    "sync": env_bool("TDS_Q_SYNC", False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- API tokens (django-rest-knox: stored as a SHA-512 digest, shown once, with an expiry) ------------
TDS_API_TOKEN_DAYS = env_int("TDS_API_TOKEN_DAYS", 90, minimum=1, maximum=3650)
# How old the polled read answers (status, health, dashboard, BFF reads) may be; 0 computes each one afresh.
TDS_API_READ_CACHE_SECONDS = env_float("TDS_API_READ_CACHE_SECONDS", 1.0, minimum=0, maximum=60)
# How long a web process remembers a token's row between requests: a token revoked or a user changed in
# another process stops working there within this many seconds (at once in the process that changed it).
TDS_API_AUTH_CACHE_SECONDS = env_int("TDS_API_AUTH_CACHE_SECONDS", 10, minimum=0, maximum=300)
REST_KNOX = {"TOKEN_TTL": timedelta(days=TDS_API_TOKEN_DAYS), "AUTO_REFRESH": False, "AUTH_HEADER_PREFIX": "Token"}

# --- DRF ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # "Authorization: Token <key>" and "Authorization: Bearer <key>" (the same knox token).
        "sync.api.auth.TokenOrBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Write endpoints are throttled per user (ScopedRateThrottle); 429 carries Retry-After.
    "DEFAULT_THROTTLE_RATES": {
        "tds_write": env("TDS_API_WRITE_RATE", default="30/min"),
    },
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers, with nesting bounded in JSON bodies (a deep body is a 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["sync.api.parsers.BoundedJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "EXCEPTION_HANDLER": "sync.api.exceptions.json_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TDS — TSH Data Sync API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are advertised as JSON only: one schema under three content types breaks generated clients
    # (openapi-python-client), which then post multipart. The views still parse form posts.
    "PARSER_WHITELIST": ["sync.api.parsers.BoundedJSONParser"],
    "DESCRIPTION": "Admin endpoints (/api/tds/) need a staff user; mobile endpoints (/api/bff/tds/) any "
                   "authenticated user; GET /api/tds/health answers everyone. Authenticate with "
                   "'Authorization: Token <key>' or 'Authorization: Bearer <key>', or a session.",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "sync.api.schema.add_webhook_paths",
                            "sync.api.schema.strict_query_strings"],
}

# --- Admin exports ----------------------------------------------------------------
# Text cells that a spreadsheet would run as a formula (=, +, -, @ ...) are exported as text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
EXPORT_FORMATS = export_formats.EXPORT_FORMATS  # classes, as django-import-export wants them

# --- Logging ------------------------------------------------------------------
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "sync.logging.CorrelationIdFilter"},
                "redact_urls": {"()": "tds_site.redaction.RedactUrlsFilter"},
                "refusal": {"()": "sync.logging.RefusalWithoutTraceback"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["correlation", "refusal"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "tds": {"handlers": ["console"], "level": TDS_LOG_LEVEL, "propagate": False},
        "zoho": {"handlers": ["console"], "level": TDS_LOG_LEVEL, "propagate": False},
        "sync": {"handlers": ["console"], "level": TDS_LOG_LEVEL, "propagate": False},
        # runserver's request lines: secret query values redacted, as in gunicorn's access log.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False, "filters": ["redact_urls"]},
        "django.db.backends": {
            "handlers": ["console"],
            "level": "DEBUG" if TDS_ENABLE_QUERY_LOGGING else "WARNING",
            "propagate": False,
        },
    },
}
