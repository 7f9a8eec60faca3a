"""Project system checks (`manage.py check`, and `check --deploy` for the deploy tag)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_key_configured(app_configs, **kwargs):
    if settings.FIELD_ENCRYPTION_KEY_DERIVED:
        return [
            Warning(
                "FIELD_ENCRYPTION_KEYS is not set; secrets at rest use a key derived "
                "from SECRET_KEY, so rotating SECRET_KEY would make them unreadable.",
                hint="Set FIELD_ENCRYPTION_KEYS to a Fernet key (see .env.example).",
                id="api.W001",
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
