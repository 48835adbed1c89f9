"""gunicorn settings for one web node of the platform.

Used by deploy/systemd/egov-web.service and by deploy/prove.py:

    gunicorn -c deploy/gunicorn.conf.py egov.wsgi

Every value can be changed by the environment of the service (see egov.env.example).
"""

import multiprocessing
import os

bind = os.environ.get("EGOV_BIND", "127.0.0.1:8000")
# Processes × threads: gthread workers keep HTTP/1.1 connections from nginx alive.
workers = int(os.environ.get("EGOV_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("EGOV_WEB_THREADS", 4))
keepalive = 30
# A scanned paper being checked or a PDF being signed may take a while; nothing
# legitimate takes two minutes.
timeout = int(os.environ.get("EGOV_WEB_TIMEOUT", 120))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never becomes an outage.
max_requests = int(os.environ.get("EGOV_WEB_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# The platform writes JSON logs itself (EGOV_LOG_FORMAT=json); gunicorn's access log
# would repeat them without the request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("EGOV_WEB_LOG_LEVEL", "warning")
# nginx is the only client; it connects from the address in EGOV_TRUSTED_PROXY.
forwarded_allow_ips = os.environ.get("EGOV_TRUSTED_PROXY", "127.0.0.1")
proc_name = "egov-web"
