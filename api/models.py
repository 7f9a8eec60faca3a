"""Every model of the project, re-exported so `from api.models import X` always works.

Each domain package owns its models; this module only gathers them for Django's
single app label `api` (one migrations history).
"""

from api.accounts.models import ExternalUser, User, UserPermissionOverride, UserSession
from api.audit.models import UserActivityLog
from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday, HolidayImport
from api.common.models import TimestampedModel
from api.kanban.models import (
    BoardPresence,
    Task,
    TaskActivity,
    TaskAttachment,
    TaskComment,
    TaskGroup,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)
from api.notifications.models import Notification
from api.org.models import Department, Employee, Project
from api.overtime.models import (
    CompensationTier,
    OvertimeBreak,
    OvertimeRegulation,
    OvertimeRegulationDocument,
    OvertimeRequest,
)
from api.purchasing.models import Asset, PurchaseRequest
from api.realtime.models import RealtimeEvent, RealtimeStream
from api.reports.models import ReportJob
from api.system.models import (
    PersonalNote,
    ReleaseNote,
    SMBConfiguration,
    SystemConfiguration,
    UserReport,
)

__all__ = [
    "Asset",
    "BoardPresence",
    "CalendarEvent",
    "CompensationTier",
    "Department",
    "Employee",
    "EmployeeLeave",
    "ExternalUser",
    "Holiday",
    "HolidayImport",
    "Notification",
    "OvertimeBreak",
    "OvertimeRegulation",
    "OvertimeRegulationDocument",
    "OvertimeRequest",
    "PersonalNote",
    "Project",
    "PurchaseRequest",
    "RealtimeEvent",
    "RealtimeStream",
    "ReleaseNote",
    "ReportJob",
    "SMBConfiguration",
    "SystemConfiguration",
    "Task",
    "TaskActivity",
    "TaskAttachment",
    "TaskComment",
    "TaskGroup",
    "TaskReminder",
    "TaskSubtask",
    "TaskTimeLog",
    "TimestampedModel",
    "User",
    "UserActivityLog",
    "UserPermissionOverride",
    "UserReport",
    "UserSession",
]
