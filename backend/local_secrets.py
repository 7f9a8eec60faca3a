"""Signing keys: what may sign tokens, and the embedded default's own generated keys.

No signing key is written in the repository. With DEBUG on and no ``SECRET_KEY`` in
the environment, settings take ``SECRET_KEY`` and ``JWT_SIGNING_KEY`` from a local
JSON file (``LOCAL_SECRETS_FILE``, by default ``.local-secrets.json`` at the repository
root, ignored by git and Docker). The first process that needs it writes it with two
new random keys, mode 0600; every later run, and every other process of the same
checkout (Daphne, Celery, the test suite), reads the same keys back.

Values published in the repository (``.env.example``, documentation, former
defaults) are refused as keys wherever they come from, DEBUG or not: anyone can sign
a token with them. ``tests/test_embedded_default.py`` scans the repository so that
every such value is listed in ``PUBLISHED_VALUES``.

This module imports nothing from Django at import time: settings use it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

KEY_NAMES = ("SECRET_KEY", "JWT_SIGNING_KEY")
FILE_NAME = ".local-secrets.json"

# Django's own advice for SECRET_KEY (security.W009: at least 50 characters, at least
# 5 different ones). A JWT HMAC key must also be at least as long as the hash (RFC 7518
# section 3.2: 256 bits for HS256); 50 random URL-safe characters carry ~300 bits, and a
# short, hand-typed key is the kind that gets guessed or copied from an example.
MIN_KEY_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5
# Django's startproject placeholder prefix: keys starting with it were never meant to
# leave a laptop.
INSECURE_PREFIX = "django-insecure-"

# Every secret-looking value that is, or ever was, written in this repository. None of
# them may sign anything, nor authenticate to the HR API in production.
PUBLISHED_VALUES = frozenset(
    {
        # .env.example placeholders
        "change-me",
        "change-me-too",
        "your_password",
        "dev-hr-api-key",
        # former embedded default of SECRET_KEY (and so of JWT_SIGNING_KEY)
        "django-insecure-embedded-default-only-for-local-development",
        # former build-time and benchmark keys
        "collectstatic-only-not-a-secret",
        "benchmark-only-secret-key-" + "x" * 40,
        # the reference SSO server's default signing secret and the demo password
        "reference-sso-secret-for-local-development-only",
        "demo-password",
    }
)

# How long a reader waits for a file another process is still writing (only possible
# where hard links are unavailable and the file is written in place).
_WRITE_GRACE_SECONDS = 5.0

_GENERATE_HINT = 'generate one: python -c "import secrets; print(secrets.token_urlsafe(64))"'


def _improperly_configured(message: str) -> Exception:
    from django.core.exceptions import ImproperlyConfigured

    return ImproperlyConfigured(message)


def is_published(value: str) -> bool:
    return value.strip() in PUBLISHED_VALUES


def refuse_published(name: str, value: str) -> None:
    """ImproperlyConfigured when ``value`` of setting ``name`` is published in the repo."""
    if value and is_published(value):
        raise _improperly_configured(
            f"{name} is a value published in this repository (.env.example, the docs or a "
            f"former default): anyone could sign with it. Unset it (with DEBUG on a local "
            f"key is generated) or {_GENERATE_HINT}"
        )


def key_problem(value: str) -> str | None:
    """Why ``value`` must not be used as a signing key, or None when it may."""
    if is_published(value):
        return "is a value published in this repository"
    if value.startswith(INSECURE_PREFIX):
        return f"starts with {INSECURE_PREFIX!r}, Django's placeholder prefix"
    if len(value) < MIN_KEY_LENGTH:
        return f"is shorter than {MIN_KEY_LENGTH} characters"
    if len(set(value)) < MIN_UNIQUE_CHARACTERS:
        return f"has fewer than {MIN_UNIQUE_CHARACTERS} different characters"
    return None


def generate_keys() -> dict[str, str]:
    return {name: secrets.token_urlsafe(64) for name in KEY_NAMES}


def _parse(raw: bytes) -> dict[str, str] | None:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(n), str) for n in KEY_NAMES):
        return None
    return {name: data[name] for name in KEY_NAMES}


def _create_exclusive(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` unless it exists (O_EXCL): one process wins."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _publish(path: Path, content: bytes) -> None:
    """Make ``path`` hold ``content`` unless another process made it first.

    The content goes to a private temporary file (mode 0600) that is then hard-linked to
    ``path``: the link fails if ``path`` exists, and whoever wins, readers never see a
    half-written file. Without hard links, an exclusive create does the same job."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:  # this file system has no hard links
            _create_exclusive(path, content)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def embedded_keys(path: Path) -> dict[str, str]:
    """``SECRET_KEY`` and ``JWT_SIGNING_KEY`` of this checkout, from ``path``; the first
    call anywhere creates the file with new random keys (safe when several processes
    start at once: one file wins and everyone reads it back)."""
    path = Path(path)
    if not path.exists():
        _publish(path, (json.dumps(generate_keys(), indent=2) + "\n").encode())
    deadline = time.monotonic() + _WRITE_GRACE_SECONDS
    while True:
        keys = _parse(path.read_bytes())
        if keys is not None or time.monotonic() >= deadline:
            break
        time.sleep(0.05)  # another process may still be writing it in place
    problems = []
    if keys is None:
        problems.append(f"it is not a JSON object with {' and '.join(KEY_NAMES)}")
    else:
        problems += [f"{n} {p}" for n in KEY_NAMES if (p := key_problem(keys[n]))]
        if keys["SECRET_KEY"] == keys["JWT_SIGNING_KEY"]:
            problems.append("SECRET_KEY and JWT_SIGNING_KEY are the same")
    if problems:
        raise _improperly_configured(
            f"{path}: {'; '.join(problems)}. Delete the file and new keys are generated "
            "on the next start (sessions and tokens signed with the old ones end)."
        )
    return keys
