# One image for both processes:
#   web:    collectstatic, then gunicorn with tds_site/gunicorn.conf.py (the default command)
#   worker: python manage.py qcluster   (docker-compose's tds-worker service)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN useradd --create-home --uid 1000 tds \
    && mkdir -p /app/media /app/logs /app/staticfiles \
    && TDS_MANIFEST_STATIC=true python manage.py collectstatic --noinput \
    && chown -R tds:tds /app/media /app/logs /app/staticfiles

USER tds
EXPOSE 8000

# Static files are collected (with the manifest the production settings use) at build time and
# again at start, so a changed STATIC_ROOT or volume never leaves the admin without its manifest.
CMD ["sh", "-c", "python manage.py collectstatic --noinput --verbosity 0 && exec gunicorn -c tds_site/gunicorn.conf.py --bind 0.0.0.0:8000 tds_site.wsgi:application"]
