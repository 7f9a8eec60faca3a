"""Signal receivers of the accounts domain, connected in ApiConfig.ready().

The accounts services announce permission changes and ended sessions with their own
signals (api/accounts/signals.py); here the accounts domain turns them into what the
user's sockets hear: a permission update built from its own rules, and the control
messages that make the sockets re-check or close.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.accounts.models import User, UserPermissionOverride
from api.accounts.permissions import (
    effective_permissions,
    forget_effective_permissions,
    forget_user_overrides,
)
from api.realtime import helpers


@receiver(post_save, sender=UserPermissionOverride, dispatch_uid="overrides-cache-save")
@receiver(post_delete, sender=UserPermissionOverride, dispatch_uid="overrides-cache-delete")
def drop_cached_overrides(sender, instance, **kwargs) -> None:
    # Now, and again after commit: a request reading in between must not re-cache
    # the rows this transaction is about to replace.
    forget_user_overrides(instance.user_id)
    transaction.on_commit(lambda: forget_user_overrides(instance.user_id))


def push_permission_update(sender, user: User, **kwargs) -> None:
    """`permissions_changed`: the user's new role and permissions, live."""
    forget_effective_permissions(user)
    # → api/realtime/receivers.py: record_and_publish (through the helper)
    helpers.send_permission_update_to_user(
        user.pk,
        {
            "role": user.role,
            "is_active": user.is_active,
            "permissions": {
                resource: sorted(actions)
                for resource, actions in sorted(effective_permissions(user).items())
            },
        },
    )


def close_ended_sessions(sender, sessions, **kwargs) -> None:
    """`sessions_ended`: each logged-out or closed session's sockets close."""
    for user_id, session_id in sessions:
        helpers.end_session_sockets(user_id, session_id)
