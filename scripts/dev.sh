#!/usr/bin/env bash
# The embedded default in one go: migrate, seed demo data, start the reference SSO/HR
# server, serve with Daphne. Called by `make dev`; stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
APP_HOST=${APP_HOST:-0.0.0.0}
APP_PORT=${APP_PORT:-8008}
EXTERNAL_API_PORT=${EXTERNAL_API_PORT:-9001}
export EXTERNAL_API_URL=${EXTERNAL_API_URL:-http://127.0.0.1:${EXTERNAL_API_PORT}}

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py initialize_data --demo

"$PYTHON" scripts/external_api_server.py --host 127.0.0.1 --port "$EXTERNAL_API_PORT" &
external_pid=$!
trap 'kill "$external_pid" 2>/dev/null || true' EXIT

cat <<INFO

  PTB Overtime is starting on http://${APP_HOST}:${APP_PORT}
    API        http://localhost:${APP_PORT}/api/v1/
    Swagger    http://localhost:${APP_PORT}/swagger/
    ReDoc      http://localhost:${APP_PORT}/redoc/
    Admin      http://localhost:${APP_PORT}/admin/
    Health     http://localhost:${APP_PORT}/api/health/
    SSO (reference server) ${EXTERNAL_API_URL}  — users demo.employee / demo.admin, password demo-password

INFO
"$PYTHON" -m daphne -b "$APP_HOST" -p "$APP_PORT" backend.asgi:application
