"""`manage.py check --deploy` is clean with production-like settings (as in .env.example)."""

import os
import subprocess
import sys

from cryptography.fernet import Fernet

from conftest import REPO_ROOT

PRODUCTION_LIKE = {
    "DJANGO_ENV": "production",
    "DEBUG": "False",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-key-for-the-check-only-0123456789",
    "JWT_SIGNING_KEY": "j" * 20 + "-production-like-jwt-signing-key-for-the-check-only-987654",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DJANGO_ALLOWED_HOSTS": "overtime.example.com",
    "DATABASE_URL": "postgres://ptb@db.example.com:5432/ptb_overtime",
    "REDIS_URL": "redis://redis.example.com:6379",
    "LOG_TO_FILE": "false",
}


def run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS", "SQL_"))}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_like_settings():
    result = run_check(PRODUCTION_LIKE)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_secrets_share_one_key():
    env = dict(PRODUCTION_LIKE)
    del env["FIELD_ENCRYPTION_KEYS"]
    del env["JWT_SIGNING_KEY"]

    result = run_check(env)

    assert result.returncode != 0
    assert "api.W001" in result.stderr + result.stdout
    assert "api.W002" in result.stderr + result.stdout


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = dict(PRODUCTION_LIKE)
    del env["SECRET_KEY"]

    result = run_check(env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_variable_settings_read_is_documented_in_env_example():
    import re

    source = (REPO_ROOT / "backend" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+|_path)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]+)"', source))
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (REPO_ROOT / ".env.example").read_text(), re.M)
    )

    assert read, "the pattern found no variables: update this test"
    assert read - documented == set()
