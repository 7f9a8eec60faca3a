#!/usr/bin/env bash
# The embedded default in one go: migrate, seed demo data, start the reference SSO/HR
# server, serve with Daphne. Called by `make dev`; stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
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
external_pid=$!
trap 'kill "$external_pid" 2>/dev/null || true' EXIT

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

INFO
"$PYTHON" -m daphne -b "$APP_HOST" -p "$APP_PORT" backend.asgi:application
