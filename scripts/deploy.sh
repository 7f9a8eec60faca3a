#!/usr/bin/env bash
# Deploy (or update) with Docker Compose: build the image, apply migrations once,
# (re)start every service, and wait until the web container reports healthy.
#   scripts/deploy.sh              # production: docker-compose.prod.yml, .env.prod
#   scripts/deploy.sh staging      # staging:    docker-compose.staging.yml, .env.staging
# Needs Docker with `docker compose` (or docker-compose) on the host.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-prod}
case "$target" in
  prod | production) file=docker-compose.prod.yml env_file=.env.prod ;;
  staging) file=docker-compose.staging.yml env_file=.env.staging ;;
  *) echo "usage: $0 [prod|staging]" >&2; exit 2 ;;
esac
[ -f "$env_file" ] || { echo "$env_file is missing (start from .env.example)" >&2; exit 1; }

if docker compose version >/dev/null 2>&1; then compose=(docker compose -f "$file");
else compose=(docker-compose -f "$file"); fi

echo "==> building images"
"${compose[@]}" build

echo "==> applying migrations (one container, before the new code serves)"
"${compose[@]}" run --rm -e RUN_MIGRATIONS=false web python manage.py migrate --noinput

echo "==> starting services"
"${compose[@]}" up -d --remove-orphans

echo "==> waiting for the web container to be healthy"
container=$("${compose[@]}" ps -q web)
for _ in $(seq 1 60); do
  status=$(docker inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo unknown)
  if [ "$status" = healthy ]; then
    echo "web is healthy"
    exit 0
  fi
  sleep 5
done
echo "web did not become healthy; recent logs:" >&2
"${compose[@]}" logs --tail 100 web >&2
exit 1
