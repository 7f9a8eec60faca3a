# syntax=docker/dockerfile:1
# Production image: Daphne serving HTTP and WebSockets; the same image runs the Celery
# worker and beat (docker-compose.prod.yml). Multi-stage: compilers stay in `build`.
ARG PYTHON_IMAGE=python:3.13-slim

FROM ${PYTHON_IMAGE} AS build
# The base image's tag pins the Debian release; pinning package versions as well would
# break the build at every Debian point release (old versions leave the archive).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
COPY deploy/docker/install-dependencies.sh /tmp/install-dependencies.sh
RUN /tmp/install-dependencies.sh

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    APP_PORT=8008 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    LOG_DIR=/app/logs
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY . /app
RUN deploy/docker/prepare-app.sh
# The commit the image is built from (scripts/deploy.sh passes it): /api/health/ and
# /api/v1/system/config/ report it, so what runs is never a guess. Empty = unknown.
ARG GIT_COMMIT=""
ENV GIT_COMMIT=${GIT_COMMIT}
# Numeric, so an orchestrator can check the image runs as non-root (uid 1000 = appuser).
USER 1000:1000
EXPOSE 8008
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/docker/healthcheck.py"]
ENTRYPOINT ["deploy/docker/entrypoint.sh"]
CMD ["sh", "-c", "exec python -m backend.serve -b 0.0.0.0 -p \"$APP_PORT\" backend.asgi:application"]

# Staging: the runtime above with staging's defaults, and nothing else
# (tests/test_dockerfiles.py). `docker build --target staging .`; docker-compose.staging.yml.
FROM runtime AS staging
ENV DJANGO_ENV=staging \
    RUN_MIGRATIONS=true

# The last stage is what a plain `docker build .` makes: production.
FROM runtime AS production
