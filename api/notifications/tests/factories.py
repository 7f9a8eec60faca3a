from api.notifications.models import Notification, NotificationKind


def make_notification(recipient, **fields) -> Notification:
    fields.setdefault("kind", NotificationKind.SYSTEM)
    fields.setdefault("title", "Something happened")
    return Notification.objects.create(recipient=recipient, **fields)
