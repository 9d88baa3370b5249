# One image for every TDS process:
#   web:     collectstatic, then gunicorn with tds_site/gunicorn.conf.py (the default command)
#   workers: python manage.py qcluster   (docker-compose's tds-worker service)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# /run/tds: the gunicorn sockets docker-compose.yml shares with its nginx service.
RUN useradd --create-home --uid 1000 tds \
    && mkdir -p /app/media /app/logs /app/staticfiles /run/tds \
    && TDS_MANIFEST_STATIC=true python manage.py collectstatic --noinput \
    && chown -R tds:tds /app/media /app/logs /app/staticfiles /run/tds

USER tds
# gunicorn's address (TDS_WEB_BIND, read by tds_site/gunicorn.conf.py). 0.0.0.0 is the container's own
# interface: publish it on the host's loopback only (`docker run -p 127.0.0.1:8000:8000`) with nginx in
# front. docker-compose.yml binds unix sockets shared with its nginx service instead.
ENV TDS_WEB_BIND=0.0.0.0:8000
EXPOSE 8000

# Static files are collected (with the manifest the production settings use) at build time and
# again at start, so a changed STATIC_ROOT or volume never leaves the admin without its manifest.
CMD ["sh", "-c", "python manage.py collectstatic --noinput --verbosity 0 && exec gunicorn -c tds_site/gunicorn.conf.py tds_site.wsgi:application"]
