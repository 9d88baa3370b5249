"""The project's own settings with one change: the URLs are bench/bare_urls.py's bare view.

gunicorn started with this settings module runs the same middleware, database and server options as
the real site, so a load against it measures what the machine and the stack cost before TDS does any
work: the ceiling of the web benchmarks.
"""
from tds_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
