# One image for both processes:
#   web:    gunicorn tds_site.wsgi (the default command)
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
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && chown -R tds:tds /app/media /app/logs

USER tds
EXPOSE 8000

CMD ["gunicorn", "tds_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
