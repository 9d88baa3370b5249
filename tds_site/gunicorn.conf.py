"""gunicorn settings for the TDS web process: `gunicorn -c tds_site/gunicorn.conf.py tds_site.wsgi`.

Threaded workers (gthread): a slow client holds one thread, not a whole worker,
and the timeouts below cut it off. No event-loop worker class is installed; in
production nginx sits in front and buffers slow clients (docs/deploy.md).
The worker is gthread's own with one change: the answers gunicorn writes itself
(414 request line too long, 431, 400 malformed request) are JSON under /api/
(tds_site/gunicorn_worker.py).
Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""
import os

bind = os.environ.get("TDS_WEB_BIND", "127.0.0.1:8000")
worker_class = "tds_site.gunicorn_worker.JsonErrorsWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("TDS_WEB_THREADS", "4"))
# A request (headers and body included) that takes longer than this gets its worker restarted.
timeout = int(os.environ.get("TDS_WEB_TIMEOUT_SECONDS", "30"))
graceful_timeout = 30
# Idle keep-alive connections are closed after this; behind nginx it keeps upstream connections short.
keepalive = 5
# Limits on the request line and headers (gunicorn's defaults, stated here on purpose).
limit_request_line = 4094
limit_request_fields = 100

accesslog = "-"
errorlog = "-"
# Query-string secrets (a webhook token) never reach the access log.
logger_class = "tds_site.gunicorn_logging.RedactingLogger"
