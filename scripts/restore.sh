#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh: the database and the media folder.
#   scripts/restore.sh backups/backup-<stamp>
# Nothing changes until every part passed its checks: the manifest's sha256 of the
# dump and of the media archive, pg_restore reading the dump, tar reading the archive.
# Then the media archive is extracted into a staging folder inside MEDIA_ROOT (default
# ./media), the database is replaced (pg_restore --clean --if-exists, one transaction:
# a failed restore leaves it as it was), and only then the staged files take the
# place of the media folder's contents (renames on one filesystem; the folder itself
# stays, so a mounted volume works too). Files added since the backup are gone.
# Stop the app (web, celery, beat) first. Asks for confirmation unless
# RESTORE_CONFIRM=yes. DATABASE_URL or the SQL_* variables name the database.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backup-lib.sh
source scripts/backup-lib.sh

backup=$(backup_directory "${1:?usage: $0 <backup directory, e.g. backups/backup-<stamp>>}")
media_root=${MEDIA_ROOT:-media}
database_connection

# shellcheck disable=SC2034  # manifest_counts: filled by load_manifest, checked by verify
declare -A manifest manifest_counts
load_manifest "$backup/$MANIFEST_FILE" "${connection[@]}"
echo "backup $backup: made ${manifest[created_at]:-(no time)}," \
  "app ${manifest[app_version]:-?} (commit ${manifest[app_commit]:-?})"
check_backup_files "$backup"
if [ ${#problems[@]} -gt 0 ]; then
  die "refusing to restore $backup: ${#problems[@]} part(s) failed the checks above;" \
      "nothing was changed"
fi

if [ "${RESTORE_CONFIRM:-}" != yes ]; then
  read -r -p "Replace the data of $target and the files in $media_root with $backup? [yes/NO] " answer
  [ "$answer" = yes ] || { echo "cancelled"; exit 1; }
fi

mkdir -p -- "$media_root"
staging=$(mktemp -d "$media_root/$RESTORE_STAGING-XXXXXX")
previous=""
phase=staging
cleanup() {
  case $phase in
    staging) rm -rf -- "$staging" ;;
    swapping)
      echo "error: the media swap stopped half-way: the backup's files are in $staging," \
        "the earlier ones in $previous; move them into $media_root by hand" >&2 ;;
  esac
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "==> media $backup/$MEDIA_FILE -> staging folder $staging"
tar -xzf "$backup/$MEDIA_FILE" -C "$staging" ||
  die "could not extract $MEDIA_FILE; the database and $media_root are as they were"

echo "==> database $target <- $backup/$DUMP_FILE"
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
  "${connection[@]}" -- "$backup/$DUMP_FILE" ||
  die "the database restore failed; the database and $media_root are as they were"

echo "==> media $media_root <- staging folder"
previous=$(mktemp -d "$media_root/$RESTORE_PREVIOUS-XXXXXX")
phase=swapping
find "$media_root" -mindepth 1 -maxdepth 1 ! -name "${staging##*/}" ! -name "${previous##*/}" \
  -exec mv -t "$previous" -- {} +
find "$staging" -mindepth 1 -maxdepth 1 -exec mv -t "$media_root" -- {} +
phase=finished
rm -rf -- "$staging" "$previous"
echo "done; run migrations if the backup is older than the code (make migrate)"
