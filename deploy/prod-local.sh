#!/usr/bin/env bash
# `make prod-local`: the production stack on one machine, to try it. gunicorn with several workers on
# http://127.0.0.1:8000 and two Huey consumers, on the local PostgreSQL (its own database, created if
# missing, migrated, demo seeded) and Redis. Ctrl-C stops all of it; running jobs and requests finish first.
#
# Settings (environment): DATABASE_URL, REDIS_URL, GUNICORN_BIND, WEB_CONCURRENCY, LOG_FORMAT, PUBLIC_URL (see
# docs/operations.md). WATCH_ENV=production, as on a server. SECURE_COOKIES=false because this serves plain
# http, which production allows only together with a PUBLIC_URL on this machine (127.0.0.1 or localhost);
# never do that for others.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

export WATCH_ENV=production FLASK_APP=watch
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/watch_local}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8000}"
export PUBLIC_URL="${PUBLIC_URL:-http://$GUNICORN_BIND}"
export SECURE_COOKIES="${SECURE_COOKIES:-false}"
# No mail server or Twilio account here: emails and SMS are stored in the outbox table instead of sent.
export MAIL_BACKEND="${MAIL_BACKEND:-outbox}" SMS_BACKEND="${SMS_BACKEND:-outbox}"

# A random key made once and kept, so sessions survive a restart; instance/ is not committed.
mkdir -p instance
if [ ! -s instance/secret_key ]; then
  (umask 077 && "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key)
  echo "made a new SECRET_KEY in instance/secret_key"
fi
SECRET_KEY="$(cat instance/secret_key)"
export SECRET_KEY
# The same for the key that encrypts the TOTP secrets: a new one would make every stored secret unreadable.
if [ ! -s instance/totp_key ]; then
  (umask 077 && "$BIN/python" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" \
    > instance/totp_key)
  echo "made a new TOTP_ENCRYPTION_KEYS in instance/totp_key"
fi
TOTP_ENCRYPTION_KEYS="${TOTP_ENCRYPTION_KEYS:-$(cat instance/totp_key)}"
export TOTP_ENCRYPTION_KEYS

"$BIN/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).ping()" "$REDIS_URL" \
  || { echo "Redis does not answer at $REDIS_URL" >&2; exit 1; }
"$BIN/python" deploy/create_database.py "$DATABASE_URL"
"$BIN/flask" db upgrade
# Production refuses to seed the demo (its accounts share a published password and key): this local
# try-out asks for it explicitly, with the development configuration, into the same database.
WATCH_ENV=development "$BIN/flask" demo seed

# Each in its own session, so the terminal's Ctrl-C reaches only this script, which then sends each
# the signal that lets it finish its work (SIGTERM) exactly once.
pids=()
setsid "$BIN/gunicorn" -c deploy/gunicorn.conf.py "watch:create_app()" & pids+=($!)
setsid "$BIN/flask" jobs worker --workers 2 & pids+=($!)
setsid "$BIN/flask" jobs worker --workers 2 --no-periodic & pids+=($!)  # periodic jobs: one consumer only

stopping=""
stop() {
  [ -n "$stopping" ] && return
  stopping=1
  echo "stopping gunicorn and the job workers ..." >&2
  kill -TERM "${pids[@]}" 2>/dev/null || true
}
interrupted=""
trap 'interrupted=1; stop' INT TERM
echo "serving $PUBLIC_URL (WATCH_ENV=production, database $DATABASE_URL, Redis $REDIS_URL); Ctrl-C stops" >&2

status=0
wait -n "${pids[@]}" || status=$?  # returns when one of them ends, or when Ctrl-C arrives
stop
wait "${pids[@]}" 2>/dev/null || true
if [ -n "$interrupted" ]; then
  echo "stopped" >&2
  exit 0
fi
echo "a process of the stack ended by itself (exit status $status); stopped the rest" >&2
exit $((status == 0 ? 1 : status))
