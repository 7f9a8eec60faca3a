from api.notifications.models import Notification


def notifications_visible_to(*, user):
    """Everyone reads only their own notifications, whatever their role."""
    return Notification.objects.filter(recipient_id=user.pk).select_related("actor")


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, is_read=False).count()
