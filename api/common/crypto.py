"""Secrets at rest (SMB passwords): Fernet with the keys in FIELD_ENCRYPTION_KEYS.

MultiFernet encrypts with the first key and decrypts with any, so a key is rotated
by putting the new one first and re-saving the rows.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (urlsafe base64, 32 bytes): "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key())"'
        ) from exc


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key we no longer have."""


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "Stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS; "
            "re-enter it or restore the old key."
        ) from exc
