import os
import sys

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tds_site.settings")
try:
    application = get_asgi_application()
except ImproperlyConfigured as exc:
    # One line naming the setting instead of a traceback per worker; exit code 3 is gunicorn's
    # "worker failed to boot", which stops the server instead of restarting workers forever.
    print(f"TDS configuration error: {exc}", file=sys.stderr)
    raise SystemExit(3) from None

from tds_site.checks import startup_errors  # noqa: E402 - needs the settings loaded above

for message in startup_errors():
    print(f"TDS configuration error: {message}", file=sys.stderr)
    raise SystemExit(3)
