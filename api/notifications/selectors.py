from api.accounts.models import User
from api.accounts.roles import Role
from api.notifications.models import Notification


def notifications_visible_to(*, user):
    """Everyone reads only their own notifications, whatever their role."""
    return Notification.objects.filter(recipient_id=user.pk).select_related("actor")


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, is_read=False).count()


def department_admins(*, department_id: int | None):
    """Active `ptb_admin` users of a department (through their Employee record)."""
    if department_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, role=Role.PTB_ADMIN, employee__department_id=department_id
    )


def superadmins():
    return User.objects.filter(is_active=True, role=Role.SUPERADMIN)


def global_admins():
    """Active superadmins and developers: the people who triage what concerns everyone."""
    return User.objects.filter(is_active=True, role__in=(Role.SUPERADMIN, Role.DEVELOPER))
