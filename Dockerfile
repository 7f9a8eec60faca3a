# syntax=docker/dockerfile:1
# Production image: Daphne serving HTTP and WebSockets; the same image runs the Celery
# worker and beat (docker-compose.prod.yml). Multi-stage: compilers stay in `build`.
ARG PYTHON_IMAGE=python:3.13-slim

FROM ${PYTHON_IMAGE} AS build
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
USER appuser
EXPOSE 8008
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/docker/healthcheck.py"]
ENTRYPOINT ["deploy/docker/entrypoint.sh"]
CMD ["sh", "-c", "exec python -m backend.serve -b 0.0.0.0 -p \"$APP_PORT\" backend.asgi:application"]
