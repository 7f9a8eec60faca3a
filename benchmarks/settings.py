"""Settings for benchmark servers: the real settings plus the reference endpoints."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
