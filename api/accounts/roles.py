"""Roles, resources, actions and the default permission matrix.

The matrix lives in code, not in the database, so a change to what a role may do is
reviewed, versioned and covered by the permission-matrix tests. What a superadmin
changes at run time are per-user overrides (`UserPermissionOverride`) on top of it.
"""

from __future__ import annotations

from types import MappingProxyType

from django.db import models


class Role(models.TextChoices):
    USER = "user", "User (read-only)"
    STAFF = "staff", "Staff"
    PTB_ADMIN = "ptb_admin", "PTB admin (own department)"
    SUPERADMIN = "superadmin", "Superadmin"
    DEVELOPER = "developer", "Developer"


ROLE_LEVEL = MappingProxyType(
    {Role.USER: 0, Role.STAFF: 1, Role.PTB_ADMIN: 2, Role.SUPERADMIN: 3, Role.DEVELOPER: 4}
)

# Roles that see every department and may give the second approval.
GLOBAL_ROLES = frozenset({Role.SUPERADMIN, Role.DEVELOPER})


class Action(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    CHANGE = "change", "Change"
    DELETE = "delete", "Delete"
    APPROVE = "approve", "Approve"
    EXPORT = "export", "Export"


class Resource(models.TextChoices):
    """One per API resource (the v1 API's resources, plus tasks, reports and system)."""

    PROJECTS = "projects", "Projects"
    EMPLOYEES = "employees", "Employees"
    DEPARTMENTS = "departments", "Departments"
    OVERTIME_REQUESTS = "overtime_requests", "Overtime requests"
    OVERTIME_REGULATIONS = "overtime_regulations", "Overtime regulations"
    REGULATION_DOCUMENTS = "regulation_documents", "Regulation documents"
    CALENDAR_EVENTS = "calendar_events", "Calendar events"
    HOLIDAYS = "holidays", "Holidays"
    EMPLOYEE_LEAVES = "employee_leaves", "Employee leave"
    NOTIFICATIONS = "notifications", "Notifications"
    ACTIVITY_LOGS = "activity_logs", "Activity logs"
    TASKS = "tasks", "Tasks"
    TASK_GROUPS = "task_groups", "Task groups"
    TASK_COMMENTS = "task_comments", "Task comments"
    TASK_SUBTASKS = "task_subtasks", "Task subtasks"
    TASK_TIME_LOGS = "task_time_logs", "Task time logs"
    TASK_ACTIVITIES = "task_activities", "Task activities"
    TASK_ATTACHMENTS = "task_attachments", "Task attachments"
    TASK_REMINDERS = "task_reminders", "Task reminders"
    BOARD_PRESENCE = "board_presence", "Board presence"
    PERSONAL_NOTES = "personal_notes", "Personal notes"
    PURCHASE_REQUESTS = "purchase_requests", "Purchase requests"
    ASSETS = "assets", "Assets"
    USER_REPORTS = "user_reports", "User reports"
    RELEASE_NOTES = "release_notes", "Release notes"
    ACCESS_CONTROL = "access_control", "User access control"
    SMB_CONFIGS = "smb_configs", "SMB configurations"
    SYSTEM_CONFIG = "system_config", "System configuration"
    REPORTS = "reports", "Report jobs"


R, A = Resource, Action
V, C, U, D = A.VIEW, A.CREATE, A.CHANGE, A.DELETE

# `user`: read-only on shared data (object rules still narrow what is visible), plus
# the strictly personal things everyone owns: notes, marking notifications read,
# filing a bug report.
_USER = {
    R.PROJECTS: {V},
    R.EMPLOYEES: {V},
    R.DEPARTMENTS: {V},
    R.OVERTIME_REQUESTS: {V},
    R.OVERTIME_REGULATIONS: {V},
    R.REGULATION_DOCUMENTS: {V},
    R.CALENDAR_EVENTS: {V},
    R.HOLIDAYS: {V},
    R.EMPLOYEE_LEAVES: {V},
    R.NOTIFICATIONS: {V, U},
    R.TASKS: {V},
    R.TASK_GROUPS: {V},
    R.TASK_COMMENTS: {V},
    R.TASK_SUBTASKS: {V},
    R.TASK_TIME_LOGS: {V},
    R.TASK_ACTIVITIES: {V},
    R.TASK_ATTACHMENTS: {V},
    R.TASK_REMINDERS: {V},
    R.BOARD_PRESENCE: {V},
    R.PERSONAL_NOTES: {V, C, U, D},
    R.PURCHASE_REQUESTS: {V},
    R.ASSETS: {V},
    R.USER_REPORTS: {V, C},
    R.RELEASE_NOTES: {V},
    R.SYSTEM_CONFIG: {V},
}

# `staff`: works on their own overtime, leave, purchases and on the board.
_STAFF_EXTRA = {
    R.OVERTIME_REQUESTS: {C, U, D},
    R.EMPLOYEE_LEAVES: {C, U, D},
    R.CALENDAR_EVENTS: {C, U, D},
    R.TASKS: {C, U},
    R.TASK_COMMENTS: {C, U, D},
    R.TASK_SUBTASKS: {C, U, D},
    R.TASK_TIME_LOGS: {C, U, D},
    R.TASK_ATTACHMENTS: {C, D},
    R.TASK_REMINDERS: {C, U, D},
    R.PURCHASE_REQUESTS: {C, U, D},
    R.USER_REPORTS: {U},
    R.REPORTS: {V},
}

# `ptb_admin`: manages and approves for their own department.
_PTB_ADMIN_EXTRA = {
    R.OVERTIME_REQUESTS: {A.APPROVE, A.EXPORT},
    R.EMPLOYEE_LEAVES: {A.APPROVE},
    R.PURCHASE_REQUESTS: {A.APPROVE},
    R.EMPLOYEES: {C, U},
    R.PROJECTS: {C, U, D},
    R.TASKS: {D},
    R.TASK_GROUPS: {C, U, D},
    R.HOLIDAYS: {C, U, D},
    R.ASSETS: {C, U},
    R.ACTIVITY_LOGS: {V},
    R.REPORTS: {C, A.EXPORT},
}

_EVERYTHING = {resource: set(Action) for resource in Resource}


def _merge(*layers: dict) -> dict[str, frozenset[str]]:
    merged: dict[str, set[str]] = {}
    for layer in layers:
        for resource, actions in layer.items():
            merged.setdefault(resource, set()).update(actions)
    return {resource: frozenset(actions) for resource, actions in merged.items()}


_superadmin = _merge(_EVERYTHING)
# System configuration is the developer's: superadmins read it, developers change it.
_superadmin[R.SYSTEM_CONFIG] = frozenset({V})

DEFAULT_PERMISSIONS: MappingProxyType = MappingProxyType(
    {
        Role.USER: MappingProxyType(_merge(_USER)),
        Role.STAFF: MappingProxyType(_merge(_USER, _STAFF_EXTRA)),
        Role.PTB_ADMIN: MappingProxyType(_merge(_USER, _STAFF_EXTRA, _PTB_ADMIN_EXTRA)),
        Role.SUPERADMIN: MappingProxyType(_superadmin),
        Role.DEVELOPER: MappingProxyType(_merge(_EVERYTHING)),
    }
)

# Django admin speaks model permissions ("api.change_overtimerequest"); this maps each
# model to the API resource whose rules it follows, so the admin and the API agree.
MODEL_RESOURCES = MappingProxyType(
    {
        "project": R.PROJECTS,
        "employee": R.EMPLOYEES,
        "department": R.DEPARTMENTS,
        "overtimerequest": R.OVERTIME_REQUESTS,
        "overtimebreak": R.OVERTIME_REQUESTS,
        "overtimeregulation": R.OVERTIME_REGULATIONS,
        "overtimeregulationdocument": R.REGULATION_DOCUMENTS,
        "calendarevent": R.CALENDAR_EVENTS,
        "holiday": R.HOLIDAYS,
        "employeeleave": R.EMPLOYEE_LEAVES,
        "notification": R.NOTIFICATIONS,
        "useractivitylog": R.ACTIVITY_LOGS,
        "task": R.TASKS,
        "taskgroup": R.TASK_GROUPS,
        "taskcomment": R.TASK_COMMENTS,
        "tasksubtask": R.TASK_SUBTASKS,
        "tasktimelog": R.TASK_TIME_LOGS,
        "taskactivity": R.TASK_ACTIVITIES,
        "taskattachment": R.TASK_ATTACHMENTS,
        "taskreminder": R.TASK_REMINDERS,
        "boardpresence": R.BOARD_PRESENCE,
        "personalnote": R.PERSONAL_NOTES,
        "purchaserequest": R.PURCHASE_REQUESTS,
        "asset": R.ASSETS,
        "userreport": R.USER_REPORTS,
        "releasenote": R.RELEASE_NOTES,
        "userpermissionoverride": R.ACCESS_CONTROL,
        "user": R.ACCESS_CONTROL,
        "smbconfiguration": R.SMB_CONFIGS,
        "systemconfiguration": R.SYSTEM_CONFIG,
    }
)

DJANGO_ACTIONS = MappingProxyType({"view": V, "add": C, "change": U, "delete": D})


def role_level(role: str) -> int:
    return ROLE_LEVEL.get(role, -1)


def is_global_role(role: str) -> bool:
    return role in GLOBAL_ROLES
