"""gunicorn settings for the TDS web process: `gunicorn -c tds_site/gunicorn.conf.py tds_site.wsgi`.

gunicorn never faces clients itself. A client that trickles its request holds a
gthread thread until the request is complete, and gunicorn's `timeout` does not
cut it (the worker is alive and heartbeating): a dozen such clients hold every
thread. nginx in front (deploy/nginx/tds.conf) reads whole requests before
passing them on and cuts slow clients, so gunicorn listens on a unix socket
(deploy/systemd/tds-web@.service) or the loopback interface only.
The worker is gthread's own with one change: the answers gunicorn writes itself
(414 request line too long, 431, 400 malformed request) are JSON under /api/
(tds_site/gunicorn_worker.py).
Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""
import os

# Loopback by default; production binds a unix socket per instance (unix:/run/tds/web-1.sock), the
# Docker image 0.0.0.0:8000 inside its own network namespace (Dockerfile).
bind = os.environ.get("TDS_WEB_BIND", "127.0.0.1:8000")
worker_class = "tds_site.gunicorn_worker.JsonErrorsWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("TDS_WEB_THREADS", "4"))
# A worker whose main loop stops heartbeating this long is killed and replaced. It does not bound one
# request: gthread's main loop keeps beating while a thread waits on a slow client (nginx cuts those).
timeout = int(os.environ.get("TDS_WEB_TIMEOUT_SECONDS", "30"))
graceful_timeout = 30
# Idle keep-alive connections are closed after this; behind nginx it keeps upstream connections short.
keepalive = 5
# Limits on the request line and headers (gunicorn's defaults, stated here on purpose).
limit_request_line = 4094
limit_request_fields = 100

accesslog = "-"
errorlog = "-"
# The client first: behind nginx the peer is a unix socket (no address) and the client is the last
# X-Forwarded-For entry; without nginx that field is "-" and the peer address follows.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# Query-string secrets (a webhook token) never reach the access log.
logger_class = "tds_site.gunicorn_logging.RedactingLogger"
