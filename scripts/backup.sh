#!/usr/bin/env bash
# Back up what cannot be rebuilt: the PostgreSQL database and the media folder
# (uploaded documents, attachments, screenshots, local report copies).
#   scripts/backup.sh [directory]          # default: ./backups
# Writes <directory>/backup-<UTC stamp>/ with
#   database.dump   custom format (pg_restore can restore it selectively)
#   media.tar.gz    the media folder
#   manifest.json   sha256 of both files, row counts per table (read in the same
#                   snapshot as the dump), app version and commit, time
# It is written under a hidden temporary name and renamed when complete; a failed
# backup leaves nothing behind. Only complete backups (with a manifest) count towards
# BACKUP_KEEP (default 14): the oldest beyond it are deleted.
# Environment: DATABASE_URL or the SQL_* variables (as the app reads them); MEDIA_ROOT
# (default ./media), which must hold files unless BACKUP_ALLOW_EMPTY_MEDIA=1;
# APP_VERSION and GIT_COMMIT for the manifest (default: pyproject.toml's version and
# the checked-out commit, if any).
# Check a backup with scripts/verify-backup.sh, restore it with scripts/restore.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backup-lib.sh
source scripts/backup-lib.sh
shopt -s nullglob

destination=${1:-backups}
keep=${BACKUP_KEEP:-14}
media_root=${MEDIA_ROOT:-media}
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a whole number above 0, not '$keep'"
database_connection

if [ ! -d "$media_root" ]; then
  media_problem="the media folder $media_root does not exist"
elif [ -z "$(find "$media_root" -type f -print -quit)" ]; then
  media_problem="the media folder $media_root holds no files"
else
  media_problem=""
fi
if [ -n "$media_problem" ]; then
  # A wrong MEDIA_ROOT would otherwise give backups that restore without the uploads.
  [ "${BACKUP_ALLOW_EMPTY_MEDIA:-}" = 1 ] ||
    die "$media_problem. Point MEDIA_ROOT at the app's media folder, or set" \
        "BACKUP_ALLOW_EMPTY_MEDIA=1 if this installation has no uploads yet."
  echo "warning: $media_problem; the backup holds no media (BACKUP_ALLOW_EMPTY_MEDIA=1)" >&2
fi

umask 077  # dumps hold personal data
mkdir -p -- "$destination"
# One backup at a time per directory: what another run is writing is not debris.
exec {lock}<"$destination"
flock --nonblock "$lock" || die "another backup is running in $destination"
for stale in "$destination"/.backup-*; do
  echo "removing what an interrupted backup left: $stale"
  rm -rf -- "$stale"
done

now=$(date -u +%s)
created_at=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)
stamp=$(date -u -d "@$now" +%Y%m%dT%H%M%SZ)
work=""
psql_pid=""
cleanup() {
  local status=$?
  if [ -n "$psql_pid" ]; then
    kill "$psql_pid" 2>/dev/null || true
    wait "$psql_pid" 2>/dev/null || true
  fi
  if [ -n "$work" ]; then rm -rf -- "$work"; fi
  if [ "$status" -ne 0 ]; then echo "backup failed; nothing of it was kept" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE  # psql gone: end through the cleanup above
work=$(mktemp -d "$destination/.backup-$stamp.XXXXXX")

# A psql session holds a read-only snapshot open: pg_dump dumps that snapshot and the
# row counts are read in it, so they describe the dump even while the app writes.
mkfifo "$work/.to-psql" "$work/.from-psql"
"${PSQL_BATCH[@]}" "${connection[@]}" <"$work/.to-psql" >"$work/.from-psql" &
psql_pid=$!
exec {to_psql}>"$work/.to-psql" {from_psql}<"$work/.from-psql"
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" \
  "SELECT pg_export_snapshot();" "SELECT current_database();" \
  "SELECT current_setting('server_version');" >&"$to_psql"
read -r snapshot <&"$from_psql" || die "cannot read the database $target (see above)"
read -r database_name <&"$from_psql" || die "lost the connection to $target"
read -r server_version <&"$from_psql" || die "lost the connection to $target"

echo "==> database $target -> $destination/backup-$stamp/$DUMP_FILE"
pg_dump --format=custom --no-owner --snapshot="$snapshot" --file "$work/$DUMP_FILE" \
  "${connection[@]}"

printf '%s\n' "$ROW_COUNTS_SQL" "SELECT 'end-of-row-counts';" >&"$to_psql"
counts=()
counted=no
while IFS=$'\t' read -r table rows <&"$from_psql"; do
  if [ "$table" = end-of-row-counts ]; then counted=yes; break; fi
  counts+=("$(printf '      %s: %s' "$(json_string "$table")" "$rows")")
done
[ "$counted" = yes ] || die "could not count the rows of $target (see above)"
printf 'COMMIT;\n' >&"$to_psql"
exec {to_psql}>&-
wait "$psql_pid" || die "the snapshot session of $target failed (see above)"
psql_pid=""
exec {from_psql}<&-
rm -f -- "$work/.to-psql" "$work/.from-psql"

echo "==> media $media_root -> $destination/backup-$stamp/$MEDIA_FILE"
if [ -z "$media_problem" ]; then
  # Not what an interrupted scripts/restore.sh may have left in the folder.
  tar -czf "$work/$MEDIA_FILE" --anchored --exclude="./$RESTORE_STAGING-*" \
    --exclude="./$RESTORE_PREVIOUS-*" -C "$media_root" .
else
  tar -czf "$work/$MEDIA_FILE" --files-from /dev/null
fi

app_version=${APP_VERSION:-$(sed -n 's/^version = "\(.*\)"$/\1/p;T;q' pyproject.toml 2>/dev/null || true)}
app_version=${app_version:-unknown}
app_commit=${GIT_COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
row_counts=""
for entry in "${counts[@]}"; do row_counts+="${row_counts:+,$'\n'}$entry"; done
{
  printf '{\n'
  printf '  "format": %s,\n' "$BACKUP_FORMAT"
  printf '  "created_at": %s,\n' "$(json_string "$created_at")"
  printf '  "app": {"version": %s, "commit": %s},\n' \
    "$(json_string "${app_version:-unknown}")" "$(json_string "$app_commit")"
  printf '  "database": {\n'
  printf '    "name": %s,\n' "$(json_string "$database_name")"
  printf '    "server_version": %s,\n' "$(json_string "$server_version")"
  printf '    "file": "%s",\n' "$DUMP_FILE"
  printf '    "bytes": %s,\n' "$(stat -c %s -- "$work/$DUMP_FILE")"
  printf '    "sha256": "%s",\n' "$(sha256_of "$work/$DUMP_FILE")"
  if [ ${#counts[@]} -eq 0 ]; then
    printf '    "row_counts": {}\n'
  else
    printf '    "row_counts": {\n%s\n    }\n' "$row_counts"
  fi
  printf '  },\n'
  printf '  "media": {\n'
  printf '    "source": %s,\n' "$(json_string "$media_root")"
  printf '    "file": "%s",\n' "$MEDIA_FILE"
  printf '    "bytes": %s,\n' "$(stat -c %s -- "$work/$MEDIA_FILE")"
  printf '    "sha256": "%s",\n' "$(sha256_of "$work/$MEDIA_FILE")"
  printf '    "files": %s\n' "$(archive_file_count "$work/$MEDIA_FILE")"
  printf '  }\n'
  printf '}\n'
} >"$work/$MANIFEST_FILE"

# Two backups within one second get a suffix; names still sort oldest first.
name="backup-$stamp"
suffix=1
while [ -e "$destination/$name" ]; do
  suffix=$((suffix + 1))
  name=$(printf 'backup-%s-%02d' "$stamp" "$suffix")
done
mv -T -- "$work" "$destination/$name"  # the one step that makes it a backup
work=""

complete=()
for backup in "$destination"/backup-*; do
  if [ -f "$backup/$MANIFEST_FILE" ]; then complete+=("$backup"); fi
done
for ((i = 0; i < ${#complete[@]} - keep; i++)); do
  echo "removing old backup ${complete[i]}"
  rm -rf -- "${complete[i]}"
done
echo "done: $destination/$name"
