"""`manage.py check --deploy` is clean with production-like settings (as in .env.example),
and fails with an error on secrets anyone could know."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from backend import local_secrets
from conftest import REPO_ROOT

# Fresh random keys for each run: no key used here is written in the repository.
PRODUCTION_LIKE = {
    "DJANGO_ENV": "production",
    "DEBUG": "False",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "JWT_SIGNING_KEY": secrets.token_urlsafe(64),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "EXTERNAL_API_KEY": secrets.token_urlsafe(32),
    "DJANGO_ALLOWED_HOSTS": "overtime.example.com",
    "DATABASE_URL": "postgres://ptb@db.example.com:5432/ptb_overtime",
    "REDIS_URL": "redis://redis.example.com:6379",
    "LOG_TO_FILE": "false",
}


def env_example_values(name: str) -> list[str]:
    """Every value `.env.example` gives `name` (commented-out lines included)."""
    text = (REPO_ROOT / ".env.example").read_text()
    return [v for v in re.findall(rf"^#? ?{name}=(.*)$", text, re.M) if v.strip()]


def few_characters(alphabet: str, length: int) -> str:
    """A random key drawn from a tiny alphabet (long enough, still guessable)."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def run_check(extra_env: dict[str, str], *, fail_level: str = "WARNING"):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS", "SQL_"))}
    for name in ("SECRET_KEY", "JWT_SIGNING_KEY", "EXTERNAL_API_KEY", "FIELD_ENCRYPTION_KEYS"):
        env.pop(name, None)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def with_env(**changes: str | None) -> dict[str, str]:
    env = dict(PRODUCTION_LIKE)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def test_check_deploy_is_clean_with_production_like_settings():
    result = run_check(PRODUCTION_LIKE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_jwt_tokens_share_secret_key():
    result = run_check(with_env(JWT_SIGNING_KEY=None))

    assert result.returncode != 0
    assert "api.W002" in result.stderr + result.stdout
    # Only a warning: the default fail level (ERROR) lets it pass.
    assert run_check(with_env(JWT_SIGNING_KEY=None), fail_level="ERROR").returncode == 0


# Each is an Error: the check fails at its default level (ERROR), not only with
# --fail-level WARNING.
@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        # 49 characters: one short of Django's and our minimum.
        ({"SECRET_KEY": secrets.token_urlsafe(64)[:49]}, "api.E001"),
        ({"SECRET_KEY": few_characters("ab", 80)}, "api.E001"),  # long, two characters
        ({"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(64)}, "api.E001"),
        ({"JWT_SIGNING_KEY": secrets.token_urlsafe(64)[:49]}, "api.E002"),
        ({"JWT_SIGNING_KEY": few_characters("xyz", 64)}, "api.E002"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "api.E003"),
        ({"EXTERNAL_API_KEY": None}, "api.E004"),  # the settings default: the example key
        *(({"EXTERNAL_API_KEY": v}, "api.E004") for v in env_example_values("EXTERNAL_API_KEY")),
    ],
    ids=lambda value: value if isinstance(value, str) else ",".join(value),
)
def test_check_deploy_fails_with_an_error_on_a_guessable_secret(changes, check_id):
    result = run_check(with_env(**changes), fail_level="ERROR")

    assert result.returncode != 0, result.stdout + result.stderr
    assert f"({check_id})" in result.stderr, result.stderr
    assert "ERRORS:" in result.stderr


def test_the_examples_of_env_example_are_known_to_the_checks():
    values = [
        *env_example_values("SECRET_KEY"),
        *env_example_values("JWT_SIGNING_KEY"),
        *env_example_values("EXTERNAL_API_KEY"),
    ]
    assert len(values) >= 3, "the pattern found no values: update this test"
    assert all(local_secrets.is_published(value) for value in values)


@pytest.mark.parametrize("debug", ["False", "True"])
@pytest.mark.parametrize("name", ["SECRET_KEY", "JWT_SIGNING_KEY"])
def test_settings_refuse_signing_keys_from_env_example_debug_or_not(name, debug):
    for value in env_example_values("SECRET_KEY") + env_example_values("JWT_SIGNING_KEY"):
        result = run_check(with_env(**{name: value, "DEBUG": debug}))

        assert result.returncode != 0
        assert f"{name} is a value published in this repository" in result.stderr


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = run_check(with_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_variable_settings_read_is_documented_in_env_example():
    source = "\n".join(
        path.read_text() for path in sorted((REPO_ROOT / "backend" / "settings").glob("*.py"))
    )
    read = set(re.findall(r'env(?:\.\w+|_path)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]+)"', source))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (REPO_ROOT / ".env.example").read_text(), re.M)
    )

    assert read, "the pattern found no variables: update this test"
    assert read - documented == set()
