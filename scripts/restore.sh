#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the configured database (and media).
#   scripts/restore.sh backups/database-<stamp>.dump [backups/media-<stamp>.tar.gz]
# Replaces the objects in the dump (pg_restore --clean --if-exists) in one
# transaction: a failed restore leaves the database as it was. Stop the app (web,
# celery, beat) first. Asks for confirmation unless RESTORE_CONFIRM=yes.
set -euo pipefail
cd "$(dirname "$0")/.."

dump=${1:?usage: $0 <database dump> [media archive]}
archive=${2:-}
media_root=${MEDIA_ROOT:-media}
[ -f "$dump" ] || { echo "no such dump: $dump" >&2; exit 1; }

if [ -n "${DATABASE_URL:-}" ]; then
  connection=(--dbname "$DATABASE_URL")
  target=$DATABASE_URL
else
  export PGPASSWORD=${SQL_PASSWORD:-}
  connection=(--host "${SQL_HOST:-localhost}" --port "${SQL_PORT:-5432}"
              --username "${SQL_USER:-postgres}" --dbname "${SQL_DATABASE:-ptb_overtime}")
  target="${SQL_DATABASE:-ptb_overtime} on ${SQL_HOST:-localhost}"
fi

if [ "${RESTORE_CONFIRM:-}" != yes ]; then
  read -r -p "Replace the data of $target with $dump? [yes/NO] " answer
  [ "$answer" = yes ] || { echo "cancelled"; exit 1; }
fi

echo "==> database <- $dump"
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
  "${connection[@]}" "$dump"

if [ -n "$archive" ]; then
  echo "==> media <- $archive"
  mkdir -p "$media_root"
  tar -xzf "$archive" -C "$media_root"
fi
echo "done; run migrations if the dump is older than the code (make migrate)"
