#!/bin/sh
# Every container of the image starts here: optional migrations (staging does them at
# start; production runs them once per deploy, scripts/deploy.sh), then the command.
set -eu
if [ -n "${STATIC_EXPORT_DIR:-}" ]; then
  # nginx serves /static/ from a volume shared with this container: refresh it from
  # the image at every start, so a new release's files are there (old hashed names
  # stay, for pages still open).
  cp -R /app/staticfiles/. "$STATIC_EXPORT_DIR"/
fi
if [ "${RUN_MIGRATIONS:-false}" = "true" ]; then
  python manage.py migrate --noinput
fi
exec "$@"
