#!/usr/bin/env bash
# Deploy one commit with Docker Compose; put the previous one back when it fails.
#   scripts/deploy.sh [prod|staging]        # build the checked-out commit and deploy it
#   scripts/deploy.sh [prod|staging] TAG    # deploy the image ptb-overtime:TAG (this
#                                           # host's, else pulled from $IMAGE_REGISTRY);
#                                           # also how to go back to an earlier release
# prod: docker-compose.prod.yml + .env.prod; staging: docker-compose.staging.yml + .env.staging.
#
# 1. back up the database (scripts/backup.sh into $BACKUP_DIR, default ./backups);
# 2. the image: `docker build --build-arg GIT_COMMIT=<commit>` tagged with the commit,
#    or the given tag;
# 3. `manage.py check --deploy` in the new image (nothing has changed yet if it fails);
# 4. `manage.py migrate`, if the database is behind, and `manage.py initialize_data`;
# 5. each web replica of $WEB_SERVICES replaced in turn, the next one only once the
#    new one answers 200 on /api/health/ready/ (the others keep serving meanwhile);
# 6. the other services (worker, beat, nginx) on the new tag; the tag is appended to
#    .deployed-tag.<target> (next to the compose file; its last line is what runs).
# When step 5 or 6 fails the replaced services go back to the previous tag; when
# migrations ran, the command that restores the step-1 backup is printed. Exit 1.
#
# Environment: WEB_SERVICES (prod "web1 web2", staging "web"), IMAGE_REGISTRY,
# BACKUP_DIR, DEPLOY_READY_ATTEMPTS (60) and DEPLOY_READY_INTERVAL (2 s) per replica.
# Needs Docker with `docker compose` (or docker-compose), git, and pg_dump for the backup.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-prod}
requested_tag=${2:-}
case "$target" in
  prod | production)
    target=prod file=docker-compose.prod.yml env_file=.env.prod stage=production
    default_web="web1 web2" ;;
  staging)
    # The staging stage of the one Dockerfile: the production layers plus staging's two
    # settings (Dockerfile.staging is for promoting an image already built).
    file=docker-compose.staging.yml env_file=.env.staging stage=staging
    default_web="web" ;;
  *) echo "usage: $0 [prod|staging] [TAG]" >&2; exit 2 ;;
esac
[ -f "$env_file" ] || { echo "$env_file is missing (start from .env.example)" >&2; exit 1; }

read -r -a web_services <<<"${WEB_SERVICES:-$default_web}"
[ ${#web_services[@]} -gt 0 ] || { echo "WEB_SERVICES names no service" >&2; exit 2; }
image=ptb-overtime
tag_file=.deployed-tag.$target
backup_dir=${BACKUP_DIR:-backups}
ready_attempts=${DEPLOY_READY_ATTEMPTS:-60}
ready_interval=${DEPLOY_READY_INTERVAL:-2}

if docker compose version >/dev/null 2>&1; then compose=(docker compose -f "$file");
else compose=(docker-compose -f "$file"); fi

say() { printf '==> %s\n' "$*"; }
warn() { printf '!! %s\n' "$*" >&2; }

# ------------------------------------------------------------------ what to deploy
if [ -n "$requested_tag" ]; then
  tag=$requested_tag commit=""
else
  commit=$(git rev-parse HEAD 2>/dev/null) || {
    echo "not a git checkout: name the image tag to deploy ($0 $target TAG)" >&2; exit 2; }
  # The tag must say what runs: uncommitted changes to tracked files would not show.
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "the checkout has uncommitted changes; commit them, or deploy a built TAG" >&2
    exit 2
  fi
  tag=${commit:0:12}
fi
if ! [[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "not a valid image tag: $tag" >&2; exit 2
fi
previous=""
if [ -s "$tag_file" ]; then previous=$(tail -n 1 "$tag_file" | cut -d' ' -f1); fi
say "deploying $image:$tag to $target (running now: ${previous:-nothing recorded})"

# ------------------------------------------------------------------ failure handling
phase=prepare      # prepare -> migrate -> replace -> rest -> done
migrations_started=false
backup=""
replaced=()

compose_at() { # tag, compose arguments...: compose with ${IMAGE_TAG} set to that tag
  local at=$1; shift
  IMAGE_TAG=$at "${compose[@]}" "$@"
}

wait_ready() { # tag service: polls the replica's readiness (the container's health check)
  local attempt output=""
  for ((attempt = 1; attempt <= ready_attempts; attempt++)); do
    if output=$(compose_at "$1" exec -T "$2" python deploy/docker/healthcheck.py 2>&1); then
      echo "$2 is ready on $1"
      return 0
    fi
    if [ "$attempt" -lt "$ready_attempts" ]; then sleep "$ready_interval"; fi
  done
  warn "$2 is not ready on $1 after $ready_attempts checks: ${output:-no answer}"
  return 1
}

replace() { # tag service: the replica recreated on that tag, then waited for
  compose_at "$1" up -d --no-deps --no-build "$2" && wait_ready "$1" "$2"
}

roll_back() {
  if [ ${#replaced[@]} -eq 0 ] && [ "$phase" != rest ]; then
    echo "no container was changed; $target still runs ${previous:-what it ran}" >&2
  elif [ -z "$previous" ]; then
    warn "no previous tag in $tag_file: nothing to roll back to"
  else
    warn "rolling back to $image:$previous"
    local i back=true
    # The replica that failed first (it serves nobody), then the ones that went well.
    for ((i = ${#replaced[@]} - 1; i >= 0; i--)); do
      if ! replace "$previous" "${replaced[i]}"; then
        warn "${replaced[i]} is not ready on $previous either"
        back=false
      fi
    done
    if [ "$phase" = rest ] && ! compose_at "$previous" up -d --no-build; then
      warn "could not put every service back on $previous"
      back=false
    fi
    if $back; then warn "$target runs $image:$previous again"; fi
  fi
  if $migrations_started; then
    warn "migrations for $tag ran on the database (the previous release may not expect them)."
    if [ -n "$backup" ]; then
      warn "To put the database back as it was before this deploy, stop web, celery and beat,"
      warn "then, with the database settings of $env_file:"
      warn "  scripts/restore.sh $backup"
    fi
  fi
}

on_exit() {
  local status=$?
  if [ "$status" -eq 0 ] || [ "$phase" = done ]; then return; fi
  trap - EXIT
  set +e
  warn "deploy of $image:$tag failed during the '$phase' step"
  roll_back
  exit "$status"
}
trap on_exit EXIT

# ------------------------------------------------------------------ 1. backup
# The backup is of the database the containers use: the env file's settings, not
# whatever this shell happens to export.
env_value() { # key: its value in $env_file (last assignment wins), status 1 when absent
  local line value="" found=1
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    line=${line#"${line%%[![:space:]]*}"}
    line=${line#export }
    case $line in "$1="*) value=${line#"$1="} found=0 ;; esac
  done <"$env_file"
  [ "$found" = 0 ] || return 1
  case $value in
    \"*\") value=${value:1:${#value}-2} ;;
    \'*\') value=${value:1:${#value}-2} ;;
    *) value=${value%% #*} value=${value%"${value##*[![:space:]]}"} ;;  # "v  # note" -> "v"
  esac
  printf '%s' "$value"
}
database_keys=(DATABASE_URL SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD SQL_DATABASE)
if grep -Eq "^[[:space:]]*(export[[:space:]]+)?($(IFS='|'; echo "${database_keys[*]}"))=" "$env_file"; then
  unset "${database_keys[@]}"
  for key in "${database_keys[@]}"; do
    if value=$(env_value "$key"); then export "$key=$value"; fi
  done
fi
say "backup (scripts/backup.sh $backup_dir)"
scripts/backup.sh "$backup_dir"
# shellcheck disable=SC2012  # names are ours: backup-<UTC stamp>[-NN]
backup=$(ls -1dt "$backup_dir"/backup-* 2>/dev/null | head -n 1 || true)
[ -n "$backup" ] && [ -f "$backup/manifest.json" ] ||
  { warn "scripts/backup.sh left no complete backup in $backup_dir"; exit 1; }

# ------------------------------------------------------------------ 2. image
if [ -z "$requested_tag" ]; then
  say "building $image:$tag from commit $commit (Dockerfile, stage $stage)"
  docker build --file Dockerfile --target "$stage" --build-arg GIT_COMMIT="$commit" \
    --label org.opencontainers.image.revision="$commit" --tag "$image:$tag" .
elif docker image inspect "$image:$tag" >/dev/null 2>&1; then
  say "using $image:$tag (already on this host)"
elif [ -n "${IMAGE_REGISTRY:-}" ]; then
  say "pulling $IMAGE_REGISTRY/$image:$tag"
  docker pull "$IMAGE_REGISTRY/$image:$tag"
  docker tag "$IMAGE_REGISTRY/$image:$tag" "$image:$tag"
else
  warn "no image $image:$tag on this host; build it ($0 $target) or set IMAGE_REGISTRY"
  exit 1
fi

run_new() { # command...: a one-off container of the new image, nothing else changed
  compose_at "$tag" run --rm -T -e RUN_MIGRATIONS=false "${web_services[0]}" "$@"
}

# ------------------------------------------------------------------ 3. deploy checks
say "manage.py check --deploy in $image:$tag"
run_new python manage.py check --deploy --fail-level WARNING

# ------------------------------------------------------------------ 4. schema and data
phase=migrate
if run_new python manage.py migrate --check --noinput; then
  say "the database schema is current"
else
  # From here on the database may differ from what the previous release knew.
  migrations_started=true
  say "applying migrations (the running release keeps serving meanwhile)"
  run_new python manage.py migrate --noinput
fi
say "manage.py initialize_data"
run_new python manage.py initialize_data

# ------------------------------------------------------------------ 5. web replicas
phase=replace
for service in "${web_services[@]}"; do
  say "replacing $service with $image:$tag"
  replaced+=("$service")
  if ! replace "$tag" "$service"; then
    warn "recent logs of $service:"
    compose_at "$tag" logs --tail 100 "$service" >&2 || true
    exit 1
  fi
done

# ------------------------------------------------------------------ 6. the rest
phase=rest
say "the other services on $image:$tag"
compose_at "$tag" up -d --no-build --remove-orphans

printf '%s %s\n' "$tag" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$tag_file"
phase=done
say "$target runs $image:$tag${commit:+ (commit $commit)}"
if [ -n "$previous" ] && [ "$previous" != "$tag" ]; then
  say "to go back: $0 $target $previous"
fi
