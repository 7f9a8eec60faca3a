#!/usr/bin/env bash
# The embedded default in one go: migrate, seed demo data, start the reference SSO/HR
# server and a Celery worker with embedded beat (the periodic jobs: task reminders, HR
# sync, reports...), serve with Daphne. Called by `make dev`; when Daphne stops (Ctrl-C,
# a signal, a crash) everything it started stops with it.
#
# `scripts/dev.sh jobs` runs only the worker with beat, as `make dev` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}

children=()
stop_children() {
  if [ ${#children[@]} -gt 0 ]; then
    kill "${children[@]}" 2>/dev/null || true
    wait "${children[@]}" 2>/dev/null || true
  fi
}
trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Without Redis the broker is a local folder (backend/settings/background.py) and SQLite takes one
# writer at a time: one worker process (solo pool), beat inside it. The worker consumes
# the broker, so it never runs tasks eagerly; the web process still does.
start_jobs() {
  CELERY_TASK_ALWAYS_EAGER=false "$PYTHON" -m celery -A backend worker --beat --pool=solo \
    --concurrency=1 --without-gossip --without-mingle --without-heartbeat --loglevel=INFO &
  children+=($!)
}

if [ "${1:-}" = "jobs" ]; then
  start_jobs
  wait "${children[@]}"
  exit
fi
# Loopback only unless APP_HOST says otherwise: the demo accounts' passwords are public.
APP_HOST=${APP_HOST:-127.0.0.1}
APP_PORT=${APP_PORT:-8008}
EXTERNAL_API_PORT=${EXTERNAL_API_PORT:-9001}
export EXTERNAL_API_URL=${EXTERNAL_API_URL:-http://127.0.0.1:${EXTERNAL_API_PORT}}
# The reference SSO server signs with a fresh secret each run, not its built-in demo
# one: nobody can mint SSO tokens this server would accept. SECRET_KEY and
# JWT_SIGNING_KEY come from .local-secrets.json, generated on first run.
if [ -z "${EXTERNAL_SSO_SECRET:-}" ]; then
  EXTERNAL_SSO_SECRET=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')
  export EXTERNAL_SSO_SECRET
fi

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py initialize_data --demo

"$PYTHON" scripts/external_api_server.py --host 127.0.0.1 --port "$EXTERNAL_API_PORT" &
children+=($!)
start_jobs

case "$APP_HOST" in
  127.* | localhost | ::1) reach="this machine only" ;;
  *) reach="open to the network: whoever reaches it can sign in with the demo accounts" ;;
esac

cat <<INFO

  PTB Overtime is starting on http://${APP_HOST}:${APP_PORT} (${reach})
    API        http://localhost:${APP_PORT}/api/v1/
    Swagger    http://localhost:${APP_PORT}/swagger/
    ReDoc      http://localhost:${APP_PORT}/redoc/
    Admin      http://localhost:${APP_PORT}/admin/
    Health     http://localhost:${APP_PORT}/api/health/
    SSO (reference server) ${EXTERNAL_API_URL}  — users demo.employee / demo.admin, password demo-password
    Periodic jobs          a Celery worker with embedded beat (stops with the server)

INFO
# In the background and waited for, so a signal to this script runs its traps at once
# (bash defers traps while a foreground command runs).
"$PYTHON" -m daphne -b "$APP_HOST" -p "$APP_PORT" backend.asgi:application &
daphne_pid=$!
children+=("$daphne_pid")
wait "$daphne_pid"
