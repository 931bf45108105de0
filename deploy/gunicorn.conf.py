"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py "watch:create_app()"`.

Every value can be changed through the environment, so one file serves every machine
(docs/operations.md lists them). The app itself reads WATCH_ENV, SECRET_KEY, DATABASE_URL ...
"""
import multiprocessing
import os

from watch.core.logs import ACCESS_LOG_FORMAT, dict_config

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes × threads is how many requests one instance serves at once. Threads let a worker
# answer another request while one waits for PostgreSQL; processes use the cores.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Each worker listens on its own SO_REUSEPORT socket and the kernel spreads new connections over them.
# On one shared socket the worker that wakes first may accept every connection of a burst: measured with
# 16 keep-alive connections (benchmarks/public_pages.py), one run in three had one worker serve all 16
# while the other idled, a third of the throughput.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "true").lower() != "false"

# The load balancer's addresses: only from these are X-Forwarded-Proto (https) and the like believed.
# The app's ProxyFix (TRUSTED_PROXY_HOPS) reads X-Forwarded-For/-Proto/-Host the same way.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# A request that takes longer than this is stuck: its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (deploy, systemd stop) workers finish the requests they have for up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the load balancer's idle timeout, so the balancer closes idle connections, not us.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# Logs: JSON lines on stderr (app and gunicorn) and stdout (one access line per request, with the
# request id of watch/core/logs.py). LOG_FORMAT=text gives plain lines for reading in a terminal.
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logconfig_dict = dict_config(os.environ.get("LOG_FORMAT", "json"), loglevel.upper())

# gunicorn ≥ 27 opens a control socket in $HOME by default; several instances on one machine would share it.
control_socket_disable = True
