"""Project system checks (`manage.py check`, and `check --deploy` for the deploy tag).

The deploy checks fail (Error, not Warning) on secrets anyone could know: keys that are
short or published in this repository (.env.example, the docs, former defaults), the
example HR API key, and secrets at rest encrypted with a key derived from SECRET_KEY.
Settings already refuse published signing keys at load, DEBUG or not
(backend/local_secrets.py); these checks also catch weak keys a production server
would otherwise start with.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from backend import local_secrets

_GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(64))"'


@register(Tags.security, deploy=True)
def signing_keys_strong(app_configs, **kwargs):
    errors = []
    for name, value, check_id in (
        ("SECRET_KEY", settings.SECRET_KEY, "api.E001"),
        ("JWT_SIGNING_KEY", settings.SIMPLE_JWT["SIGNING_KEY"], "api.E002"),
    ):
        problem = local_secrets.key_problem(value)
        if problem:
            errors.append(
                Error(
                    f"{name} {problem}: tokens and signatures made with it can be forged.",
                    hint=f"Use at least {local_secrets.MIN_KEY_LENGTH} random characters; "
                    f"generate a key with: {_GENERATE}",
                    id=check_id,
                )
            )
    return errors


@register(Tags.security, deploy=True)
def encryption_key_configured(app_configs, **kwargs):
    if settings.FIELD_ENCRYPTION_KEY_DERIVED:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set; secrets at rest use a key derived "
                "from SECRET_KEY, so whoever learns SECRET_KEY can read them, and "
                "rotating SECRET_KEY would make them unreadable.",
                hint="Set FIELD_ENCRYPTION_KEYS to a Fernet key (see .env.example).",
                id="api.E003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def external_api_key_not_example(app_configs, **kwargs):
    if local_secrets.is_published(settings.EXTERNAL_API_KEY):
        return [
            Error(
                "EXTERNAL_API_KEY is the example value of this repository (the reference "
                "server's key), not the HR service's.",
                hint="Set EXTERNAL_API_KEY to the key the HR service issued for this server.",
                id="api.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def jwt_signing_key_separate(app_configs, **kwargs):
    if settings.SIMPLE_JWT["SIGNING_KEY"] == settings.SECRET_KEY:
        return [
            Warning(
                "JWT_SIGNING_KEY is not set; tokens are signed with SECRET_KEY.",
                hint="Set JWT_SIGNING_KEY so tokens can be rotated independently.",
                id="api.W002",
            )
        ]
    return []
