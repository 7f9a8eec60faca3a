#!/usr/bin/env bash
# Proves that a backup made by scripts/backup.sh restores, without touching the app's
# database or media folder.
#   scripts/verify-backup.sh backups/backup-<stamp>
# Checks both files against the manifest's sha256, that pg_restore and tar read them
# and that the archive holds the manifest's number of files; then restores the dump
# into a scratch database and compares its row counts, table by table, with the
# manifest. The scratch database is created on the server of DATABASE_URL (or the
# SQL_* variables) and dropped again; the user needs the CREATEDB privilege.
# Exits 0 when everything matches, 1 naming every difference.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backup-lib.sh
source scripts/backup-lib.sh

backup=$(backup_directory "${1:?usage: $0 <backup directory, e.g. backups/backup-<stamp>>}")
database_connection

declare -A manifest manifest_counts
load_manifest "$backup/$MANIFEST_FILE" "${connection[@]}"
echo "backup $backup: made ${manifest[created_at]:-(no time)}," \
  "app ${manifest[app_version]:-?} (commit ${manifest[app_commit]:-?})"
check_backup_files "$backup"

scratch=ptb_verify_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
if [ -n "${DATABASE_URL:-}" ]; then
  # The same server and credentials, another database name.
  [[ $DATABASE_URL =~ ^([a-z]+://[^/?]*)(/[^?]*)?(\?.*)?$ ]] ||
    die "cannot tell the server from DATABASE_URL"
  scratch_connection=(--dbname "${BASH_REMATCH[1]}/$scratch${BASH_REMATCH[3]}")
else
  scratch_connection=(--host "${SQL_HOST:-localhost}" --port "${SQL_PORT:-5432}"
                      --username "${SQL_USER:-postgres}" --dbname "$scratch")
fi

created=no
drop_scratch() {
  if [ "$created" = yes ]; then
    psql_batch "${connection[@]}" --command "DROP DATABASE IF EXISTS \"$scratch\"" ||
      echo "warning: could not drop the scratch database $scratch; drop it by hand" >&2
  fi
}
trap drop_scratch EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$dump_readable" = yes ]; then
  psql_batch "${connection[@]}" --command "CREATE DATABASE \"$scratch\" TEMPLATE template0"
  created=yes
  echo "==> restoring $DUMP_FILE into the scratch database $scratch"
  # Owners and grants name roles of the source server, which need not exist here.
  if ! pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
      "${scratch_connection[@]}" -- "$backup/$DUMP_FILE"; then
    problems+=("$DUMP_FILE: pg_restore failed to restore it (see above)")
    echo "FAIL: ${problems[-1]}" >&2
  elif restored=$(psql_batch "${scratch_connection[@]}" <<<"$ROW_COUNTS_SQL"); then
    declare -A restored_counts
    while IFS=$'\t' read -r table rows; do
      if [ -n "$table" ]; then restored_counts[$table]=$rows; fi
    done <<<"$restored"
    tables=0
    total=0
    before=${#problems[@]}
    mapfile -t names < <(printf '%s\n' "${!manifest_counts[@]}" "${!restored_counts[@]}" |
      sed '/^$/d' | sort -u)
    for table in "${names[@]}"; do
      expected=${manifest_counts[$table]:-}
      actual=${restored_counts[$table]:-}
      if [ -z "$expected" ]; then
        problems+=("table $table: restored with $actual rows, not in the manifest")
      elif [ -z "$actual" ]; then
        problems+=("table $table: in the manifest with $expected rows, missing after the restore")
      elif [ "$expected" != "$actual" ]; then
        problems+=("table $table: $actual rows restored, the manifest says $expected")
      else
        tables=$((tables + 1))
        total=$((total + actual))
        continue
      fi
      echo "FAIL: ${problems[-1]}" >&2
    done
    if [ ${#problems[@]} -eq "$before" ]; then
      echo "ok: $tables tables, $total rows restored, as the manifest counts them"
    fi
  else
    problems+=("could not count the rows of the scratch database (see above)")
    echo "FAIL: ${problems[-1]}" >&2
  fi
fi

if [ ${#problems[@]} -gt 0 ]; then
  echo "backup $backup is NOT verified: ${#problems[@]} difference(s):" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "backup $backup verified"
