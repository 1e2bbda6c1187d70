"""Gunicorn settings, read from the environment (see .env.example)."""

import os

from courseapp.logs import stdout_json_logging

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Processes x threads per container; scale out with more containers, not bigger ones.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A gthread worker accepts connections whether or not it has a free thread, and kept-alive ones
# stay with it: the few long-lived connections of a proxy in front could all land in one process
# and leave the other cores idle. Holding at most one connection more than it has threads, a busy
# worker closes connections after answering and leaves new ones to the other processes.
worker_connections = threads + 1
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. Starting a worker takes
# most of a second of CPU: every 2,000 requests, that was a fifth of the lightest requests' cost.
max_requests = 20000
max_requests_jitter = 2000

# The root filesystem may be read-only: heartbeat files go to shared memory, no control socket.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
control_socket_disable = True

# Access and error logs as the same one-line JSON the application writes.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = stdout_json_logging(
    level=os.environ.get("LOG_LEVEL", "INFO"), own_loggers=("gunicorn.error", "gunicorn.access")
)
