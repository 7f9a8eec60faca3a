"""Writes of the system domain."""

from __future__ import annotations

from django.db import transaction

from api.system.models import ConfigValueType, SystemConfiguration

# Shown by the client (public) and editable by developers without a deploy.
DEFAULT_CONFIGURATION = (
    ("company-name", "PTB", ConfigValueType.STRING, True, "Company name shown in the app"),
    (
        "support-email",
        "it-support@ptb.example.com",
        ConfigValueType.STRING,
        True,
        "Where the app tells people to write for help",
    ),
    (
        "overtime-min-minutes",
        "30",
        ConfigValueType.INTEGER,
        True,
        "Shortest overtime request accepted, in minutes",
    ),
)


@transaction.atomic
def system_config_ensure_defaults() -> int:
    """Creates missing default entries; never overwrites a value someone changed."""
    created = 0
    for key, value, value_type, is_public, description in DEFAULT_CONFIGURATION:
        _, was_created = SystemConfiguration.objects.get_or_create(
            key=key,
            defaults={
                "value": value,
                "value_type": value_type,
                "is_public": is_public,
                "description": description,
            },
        )
        created += was_created
    return created
