# shellcheck shell=bash disable=SC2034  # the variables set here are the callers'
# Shared by scripts/backup.sh, scripts/verify-backup.sh and scripts/restore.sh (sourced,
# not run). A backup is one directory, backups/backup-<UTC stamp>/, holding:
#   database.dump   pg_dump --format=custom
#   media.tar.gz    the media folder
#   manifest.json   checksums, row counts per table, app version and commit, time
# The directory gets its final name only once all three are complete.

# Glob order is name order: backup-<stamp> names sort oldest first.
export LC_ALL=C

BACKUP_FORMAT=1
DUMP_FILE=database.dump
MEDIA_FILE=media.tar.gz
MANIFEST_FILE=manifest.json
# Hidden folders scripts/restore.sh makes inside the media folder while it swaps files.
RESTORE_STAGING=.restore-staging
RESTORE_PREVIOUS=.restore-previous

die() {
  echo "error: $*" >&2
  exit 1
}

# Sets `connection` (arguments for psql, pg_dump and pg_restore) and `target` (what to
# call the database in messages) from DATABASE_URL or the SQL_* variables, as the app
# reads them.
database_connection() {
  if [ -n "${DATABASE_URL:-}" ]; then
    connection=(--dbname "$DATABASE_URL")
    target=${DATABASE_URL%%\?*}
    target=${target#*://}
    target=${target#*@}  # never print a password
  else
    export PGPASSWORD=${SQL_PASSWORD:-}
    connection=(--host "${SQL_HOST:-localhost}" --port "${SQL_PORT:-5432}"
                --username "${SQL_USER:-postgres}" --dbname "${SQL_DATABASE:-ptb_overtime}")
    target="${SQL_DATABASE:-ptb_overtime} on ${SQL_HOST:-localhost}"
  fi
}

# psql for scripts: no ~/.psqlrc, unaligned, tuples only, stop at the first error.
PSQL_BATCH=(psql --no-psqlrc --quiet --no-align --tuples-only --set ON_ERROR_STOP=1)
psql_batch() {
  "${PSQL_BATCH[@]}" "$@"
}

# Prints "<schema>.<table><TAB><rows>" for every table of the database, sorted by
# name (psql meta-commands: send it to psql, not to the server). Extension-owned and
# system tables are left out; they are not the app's data.
ROW_COUNTS_SQL=$(cat <<'SQL'
SELECT format('SELECT %L || E''\t'' || count(*) FROM %I.%I',
              n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname
\gexec
SQL
)

# A JSON string literal of $1 (control characters other than tab and newline dropped).
json_string() {
  local text=$1
  text=${text//\\/\\\\}
  text=${text//\"/\\\"}
  text=${text//$'\t'/\\t}
  text=${text//$'\n'/\\n}
  text=$(printf '%s' "$text" | tr -d '\000-\010\013-\037')
  printf '"%s"' "$text"
}

sha256_of() {
  sha256sum -- "$1" | cut -d' ' -f1
}

# Regular files in a gzipped tar archive (directories and links not counted).
archive_file_count() {
  tar -tvzf "$1" | awk '/^-/ { files++ } END { print files + 0 }'
}

# Prints the fields of a manifest that the checks need, one "<name><TAB><value>" a
# line: format, created_at, app_version, app_commit, database_sha256, media_sha256,
# media_files, then "row_count<TAB><table><TAB><rows>" for each table. PostgreSQL
# parses the JSON, so nothing beyond the client tools is needed; a malformed manifest
# is an error (non-zero, psql says why).
manifest_fields() {
  local manifest=$1
  shift
  psql_batch "$@" --set manifest="$(cat -- "$manifest")" <<'SQL'
SELECT name || E'\t' || coalesce(value, '')
  FROM (SELECT :'manifest'::jsonb AS m) AS doc,
       LATERAL (VALUES
         ('format', m ->> 'format'),
         ('created_at', m ->> 'created_at'),
         ('app_version', m #>> '{app,version}'),
         ('app_commit', m #>> '{app,commit}'),
         ('database_sha256', m #>> '{database,sha256}'),
         ('media_sha256', m #>> '{media,sha256}'),
         ('media_files', m #>> '{media,files}')
       ) AS field (name, value);
SELECT 'row_count' || E'\t' || key || E'\t' || value
  FROM jsonb_each_text(coalesce(:'manifest'::jsonb #> '{database,row_counts}', '{}'))
 ORDER BY key;
SQL
}

# Reads manifest_fields output into the associative arrays `manifest` (fields) and
# `manifest_counts` (table -> rows). Declare both (declare -A) before calling.
load_manifest() {
  local file=$1 name value rows
  shift
  local fields
  fields=$(manifest_fields "$file" "$@") || die "$file is not a readable manifest (see above)"
  while IFS=$'\t' read -r name value rows; do
    [ -n "$name" ] || continue
    if [ "$name" = row_count ]; then
      manifest_counts["$value"]=$rows
    else
      manifest["$name"]=$value
    fi
  done <<<"$fields"
  [ "${manifest[format]:-}" = "$BACKUP_FORMAT" ] ||
    die "$file: unknown manifest format '${manifest[format]:-}' (this script reads format $BACKUP_FORMAT)"
}

# The backup directory named on the command line, with its three files.
backup_directory() {
  local dir=${1%/}
  [ -d "$dir" ] || die "no such backup directory: $dir (expected backups/backup-<stamp>, made by scripts/backup.sh)"
  local part
  for part in "$MANIFEST_FILE" "$DUMP_FILE" "$MEDIA_FILE"; do
    [ -f "$dir/$part" ] || die "$dir has no $part: not a complete backup"
  done
  printf '%s\n' "$dir"
}

# Checks the files of backup directory $1 against the manifest loaded by load_manifest:
# checksums, and that pg_restore and tar can read them. Prints "ok: ..." for each
# check passed, "FAIL: ..." (stderr) for each failed, and leaves the failures in the
# array `problems`. Sets `dump_readable` (yes/no).
check_backup_files() {
  local dir=$1 part expected actual files
  problems=()
  for part in "$DUMP_FILE" "$MEDIA_FILE"; do
    if [ "$part" = "$DUMP_FILE" ]; then expected=${manifest[database_sha256]:-}
    else expected=${manifest[media_sha256]:-}; fi
    actual=$(sha256_of "$dir/$part")
    if [ "$actual" = "$expected" ]; then
      echo "ok: $part has the sha256 of the manifest"
    else
      problems+=("$part: its sha256 is $actual, the manifest says ${expected:-nothing}")
      echo "FAIL: ${problems[-1]}" >&2
    fi
  done
  if pg_restore --list -- "$dir/$DUMP_FILE" >/dev/null; then
    dump_readable=yes
    echo "ok: pg_restore reads $DUMP_FILE"
  else
    dump_readable=no
    problems+=("$DUMP_FILE: pg_restore cannot read it")
    echo "FAIL: ${problems[-1]}" >&2
  fi
  if tar -tzf "$dir/$MEDIA_FILE" >/dev/null; then
    files=$(archive_file_count "$dir/$MEDIA_FILE")
    if [ "$files" = "${manifest[media_files]:-}" ]; then
      echo "ok: tar reads $MEDIA_FILE ($files files, as in the manifest)"
    else
      problems+=("$MEDIA_FILE: holds $files files, the manifest says ${manifest[media_files]:-nothing}")
      echo "FAIL: ${problems[-1]}" >&2
    fi
  else
    problems+=("$MEDIA_FILE: tar cannot read it (damaged or truncated)")
    echo "FAIL: ${problems[-1]}" >&2
  fi
}
