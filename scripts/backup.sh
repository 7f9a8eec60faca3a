#!/usr/bin/env bash
# Back up what cannot be rebuilt: the PostgreSQL database (custom-format dump, which
# pg_restore can restore selectively) and the media folder (uploaded documents,
# attachments, screenshots, local report copies).
#   scripts/backup.sh [directory]          # default: ./backups
# Reads the database from DATABASE_URL or the SQL_* variables (as the app does), and
# MEDIA_ROOT (default ./media). Keeps the newest BACKUP_KEEP (14) of each kind.
set -euo pipefail
cd "$(dirname "$0")/.."

destination=${1:-backups}
keep=${BACKUP_KEEP:-14}
media_root=${MEDIA_ROOT:-media}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$destination"
umask 077  # dumps hold personal data

if [ -n "${DATABASE_URL:-}" ]; then
  connection=("$DATABASE_URL")
else
  export PGPASSWORD=${SQL_PASSWORD:-}
  connection=(--host "${SQL_HOST:-localhost}" --port "${SQL_PORT:-5432}"
              --username "${SQL_USER:-postgres}" --dbname "${SQL_DATABASE:-ptb_overtime}")
fi

dump="$destination/database-$stamp.dump"
echo "==> database -> $dump"
pg_dump --format=custom --no-owner --file "$dump.partial" "${connection[@]}"
mv "$dump.partial" "$dump"  # a half-written dump never looks like a backup

if [ -d "$media_root" ]; then
  archive="$destination/media-$stamp.tar.gz"
  echo "==> media -> $archive"
  tar -czf "$archive.partial" -C "$media_root" .
  mv "$archive.partial" "$archive"
fi

for kind in database media; do
  # Newest first; everything past the newest $keep goes (none yet is fine).
  mapfile -t old < <(ls -1t "$destination"/"$kind"-* 2>/dev/null | tail -n +"$((keep + 1))")
  if [ ${#old[@]} -gt 0 ]; then rm -f -- "${old[@]}"; fi
done
echo "done"
