"""What the workflow's service tests share: a department's people, requests at a
fixed day, and readers of what a step recorded and told."""

from datetime import date, datetime

from django.utils import timezone

from api.audit.models import UserActivityLog
from api.notifications.models import Notification
from api.overtime import services
from api.overtime.models import OvertimeRequest, OvertimeStatus

DAY = date(2026, 11, 17)  # never today: titles name the request's own day
S = OvertimeStatus


def at(hour: int, minute: int = 0) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=tz)


def draft(people, *, by="employee", hours=2, for_employee=None) -> OvertimeRequest:
    employee = people[for_employee].employee if for_employee else None
    return services.overtime_request_create(
        by=people[by],
        employee=employee,
        start_at=at(18),
        end_at=at(18 + hours),
        reason="Month-end closing",
    )


def submitted(people, hours=2, **kwargs) -> OvertimeRequest:
    request = draft(people, hours=hours, **kwargs)
    return services.overtime_request_submit(overtime_request=request, by=request.employee.user)


def refusal(exc_info) -> str:
    return str(exc_info.value.detail)


def notes(kind=None, **filters):
    rows = Notification.objects.filter(**filters).order_by("recipient_id")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)


def audit(request: OvertimeRequest, action: str) -> UserActivityLog:
    return UserActivityLog.objects.get(object_id=str(request.pk), action=action)
