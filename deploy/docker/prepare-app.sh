#!/bin/sh
# Runtime stage of both images: the non-root user, static files collected at build
# time (WhiteNoise or nginx serves them), writable media, logs and report folders.
set -eu
groupadd --gid 1000 appuser
useradd --uid 1000 --gid 1000 --home-dir /app --no-create-home --shell /usr/sbin/nologin appuser
# collectstatic needs the settings, not a database or real secrets: a throw-away key
# (settings refuse any key written in the repository).
SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
  LOG_TO_FILE=false python manage.py collectstatic --noinput --verbosity 0
rm -f /tmp/collectstatic.sqlite3
mkdir -p /app/media /app/logs /app/static-export
chown -R appuser:appuser /app/media /app/logs /app/static-export
