"""Settings for B12's gunicorn: the real ones, plus one bare Django view (bench/b12_urls.py) as the ceiling."""
from tds_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.b12_urls"
