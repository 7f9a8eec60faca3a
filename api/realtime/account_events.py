"""What a user's sockets hear when their account changes, connected in
ApiConfig.ready() to the accounts signals (api/accounts/signals.py).

The accounts services announce permission changes and ended sessions; realtime, which
knows who a user is, turns them into a permission update built from the accounts
rules and the control messages that make the sockets re-check or close.
"""

from api.accounts.models import User
from api.accounts.permissions import effective_permissions, forget_effective_permissions
from api.realtime import helpers


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
