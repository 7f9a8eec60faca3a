"""The objects every case of the permission matrix acts on, built once for the package.

Two departments: HOME, where every caller (one per role) works, and AWAY. Besides
the callers, `mate` (staff of HOME) and `stranger` (staff of AWAY) own objects, so
each owned resource has, for every caller, one object of their own, one of their
department (the mate's) and one of another department (the stranger's). Shared
resources have a single object, kept under a scope name ("any", "company_wide",
"published"...). Objects are written straight to the database, in the state the
action under test starts from (a draft to submit, a submitted request to approve, a
pending one for the second approval...); each case runs in a savepoint that is
rolled back, so every case finds them as built here.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.accounts.auth.tokens import issue_local_tokens
from api.accounts.models import User
from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.calendar.models import CalendarVisibility
from api.calendar.tests.factories import make_event, make_holiday, make_leave
from api.common.client import ClientInfo
from api.kanban.models import (
    BoardPresence,
    Task,
    TaskActivity,
    TaskActivityVerb,
    TaskAttachment,
    TaskComment,
    TaskGroup,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)
from api.kanban.services import board_ensure_default_columns
from api.notifications.tests.factories import make_notification
from api.overtime.models import OvertimeRegulationDocument, OvertimeStatus
from api.purchasing.models import AssetStatus, PurchaseStatus
from api.purchasing.tests.factories import make_asset, make_purchase_request
from api.reports.models import ReportJob, ReportKind, ReportStatus
from api.system.models import (
    ConfigValueType,
    PersonalNote,
    ReleaseNote,
    SMBConfiguration,
    SystemConfiguration,
    UserReport,
)
from tests.factories import (
    make_department,
    make_employee,
    make_overtime,
    make_project,
    make_regulation,
    make_user,
)

ROLES: tuple[str, ...] = (
    Role.USER,
    Role.STAFF,
    Role.PTB_ADMIN,
    Role.SUPERADMIN,
    Role.DEVELOPER,
)
# Scopes of owned objects; a caller's own are under their role, the others' here.
OWN, DEPT, OTHER = "own", "own_department", "other_department"
OWNER_OF_SCOPE = {DEPT: "mate", OTHER: "stranger"}


def _a_monday_ahead() -> date:
    """A Monday about a year from now: reminders must be in the future, and leave that
    has not started may still be cancelled."""
    ahead = timezone.localdate() + timedelta(days=365)
    return ahead - timedelta(days=ahead.weekday())


# The day the overtime objects are booked on, then the days of the leave that exists
# and of the leave that cases file.
DAY = _a_monday_ahead()
LEAVE_DAY = DAY + timedelta(weeks=13)
NEW_LEAVE_DAY = DAY + timedelta(weeks=18)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
TEXT = b"Permission matrix fixture file.\n"
REPORT_BYTES = b"PK\x03\x04 a report built for the permission matrix"
# Purchase requests exist in each state a workflow action starts from.
PURCHASE_STATES = (
    PurchaseStatus.DRAFT,
    PurchaseStatus.SUBMITTED,
    PurchaseStatus.APPROVED,
    PurchaseStatus.ORDERED,
)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class World:
    home: Any
    away: Any
    users: dict[str, User] = field(default_factory=dict)
    clients: dict[str, APIClient] = field(default_factory=dict)
    rows: dict[tuple[str, str], Any] = field(default_factory=dict)

    def owner(self, role: str, scope: str) -> str:
        """Whose object a scope names for a caller of `role`."""
        return role if scope == OWN else OWNER_OF_SCOPE.get(scope, scope)

    def pick(self, kind: str, role: str, scope: str) -> Any:
        """The `kind` object of `scope`: kept under the scope's name (a department's
        project, the company's stock...), else under its owner's."""
        if (kind, scope) in self.rows:
            return self.rows[kind, scope]
        return self.rows[kind, self.owner(role, scope)]

    def user_of(self, role: str, scope: str) -> User:
        return self.users[self.owner(role, scope)]

    def department_of(self, scope: str):
        return {DEPT: self.home, OTHER: self.away}[scope]


def _owned(world: World, owner: str, user: User) -> None:
    """Everything one person owns, in the states the workflow actions start from."""
    employee = user.employee
    department = employee.department
    rows = world.rows

    def overtime(offset: int, **fields):
        day = DAY + timedelta(days=offset)
        return make_overtime(
            employee=employee,
            created_by=user,
            start_at=at(day, 18),
            end_at=at(day, 19),
            total_hours=Decimal("1"),
            net_hours=Decimal("1"),
            **fields,
        )

    rows["overtime_draft", owner] = overtime(0)
    regulation = rows["regulation", "global"]
    submitted_at = timezone.now()
    rows["overtime_submitted", owner] = overtime(
        1, status=OvertimeStatus.SUBMITTED, regulation=regulation, submitted_at=submitted_at
    )
    rows["overtime_pending", owner] = overtime(
        2,
        status=OvertimeStatus.PENDING_SECOND_APPROVAL,
        regulation=regulation,
        submitted_at=submitted_at,
        requires_second_approval=True,
        first_approved_by=world.users["first_approver"],
        first_approved_at=submitted_at,
    )
    rows["leave", owner] = make_leave(
        employee=employee, start_date=LEAVE_DAY, end_date=LEAVE_DAY + timedelta(days=1)
    )
    for status in PURCHASE_STATES:
        rows[f"purchase_{status.value}", owner] = make_purchase_request(
            requester=user, department=department, status=status
        )
    rows["notification", owner] = make_notification(user, title=f"For {owner}")
    rows["personal_note", owner] = PersonalNote.objects.create(owner=user, title=f"{owner}'s")
    report = UserReport(reporter=user, title=f"{owner}'s report", description="It broke.")
    report.screenshot.save("screen.png", ContentFile(PNG), save=False)
    report.save()
    rows["user_report", owner] = report
    relative = f"matrix/{owner}.xlsx"
    local = Path(settings.REPORTS_DIR) / relative
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(REPORT_BYTES)
    rows["report_job", owner] = ReportJob.objects.create(
        kind=ReportKind.DAILY,
        period_start=DAY,
        period_end=DAY,
        requested_by=user,
        status=ReportStatus.UPLOAD_FAILED,
        file=relative,
        file_name=f"{owner}.xlsx",
        error="The share was unreachable.",
    )
    rows["calendar_event", owner] = make_event(
        created_by=user, visibility=CalendarVisibility.DEPARTMENT, department=department
    )
    rows["activity_log", owner] = UserActivityLog.objects.create(
        user=user, action="update", resource="projects", department=department
    )


def _card(world: World, key: str, *, creator: User, department, assignees=()) -> Task:
    column = world.rows["column", "first"]
    task = Task.objects.create(
        group=column,
        position=Task.objects.filter(group=column).count(),
        title=f"Card {key}",
        department=department,
        created_by=creator,
    )
    task.assignees.set(assignees)
    world.rows["task", key] = task
    return task


def _card_children(world: World, owner: str, user: User, task: Task) -> None:
    """What hangs off a card, each made by the card's creator."""
    rows = world.rows
    rows["task_comment", owner] = TaskComment.objects.create(task=task, author=user, body="Hi")
    rows["task_subtask", owner] = TaskSubtask.objects.create(task=task, title="Step", position=0)
    rows["task_time_log", owner] = TaskTimeLog.objects.create(
        task=task, user=user, started_at=at(DAY, 9), ended_at=at(DAY, 10)
    )
    rows["task_activity", owner] = TaskActivity.objects.create(
        task=task, actor=user, verb=TaskActivityVerb.UPDATED
    )
    attachment = TaskAttachment(
        task=task, original_name="notes.txt", content_type="text/plain", uploaded_by=user
    )
    attachment.file.save("notes.txt", ContentFile(TEXT), save=False)
    attachment.size_bytes = len(TEXT)
    attachment.save()
    rows["task_attachment", owner] = attachment
    rows["task_reminder", owner] = TaskReminder.objects.create(
        task=task, user=user, remind_at=at(DAY, 8), message="Look again"
    )
    now = timezone.now()
    rows["board_presence", owner] = BoardPresence.objects.create(
        user=user, task=task, channel_name=f"matrix.{owner}", connected_at=now, last_seen_at=now
    )


def build_world() -> World:
    home = make_department(code="MX-HOME", name="Home")
    away = make_department(code="MX-AWAY", name="Away")
    world = World(home=home, away=away)
    rows, users = world.rows, world.users

    for role in ROLES:
        users[role] = make_user(role, department=home, password=None)
    users["mate"] = make_user(Role.STAFF, department=home, password=None)
    users["stranger"] = make_user(Role.STAFF, department=away, password=None)
    # Gave the first approval of the requests now pending a second one.
    users["first_approver"] = make_user(Role.PTB_ADMIN, department=home, password=None)
    # Another developer's account, which only developers may manage.
    users["developer_account"] = make_user(Role.DEVELOPER, department=home, password=None)

    for role in ROLES:
        tokens = issue_local_tokens(user=users[role], client=ClientInfo("127.0.0.1", "matrix"))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        world.clients[role] = client

    # Organisation and rules.
    rows["department", "any"] = make_department(code="MX-SPARE", name="Spare")
    rows["employee", "spare_own_department"] = make_employee(department=home)
    rows["employee", "spare_other_department"] = make_employee(department=away)
    for key, department in ((DEPT, home), (OTHER, away), ("company_wide", None)):
        rows["project", key] = make_project(department=department)
    rows["regulation", "global"] = make_regulation(
        max_hours_per_day=Decimal("8"),
        max_hours_per_week=Decimal("40"),
        max_hours_per_month=Decimal("160"),
        max_hours_per_year=Decimal("1600"),
        second_approval_threshold_hours=Decimal("3"),
    )
    rows["regulation", "any"] = make_regulation(
        department=away, is_active=False, effective_from=DAY + timedelta(days=300)
    )
    document = OvertimeRegulationDocument(
        regulation=rows["regulation", "global"],
        title="Overtime rules",
        version="1",
        original_name="rules.txt",
        content_type="text/plain",
        size_bytes=len(TEXT),
    )
    document.file.save("rules.txt", ContentFile(TEXT), save=False)
    document.save()
    rows["regulation_document", "any"] = document
    rows["holiday", "any"] = make_holiday(date=DAY + timedelta(days=30), name="Founders' day")

    # The board: the four default columns, a spare empty one, cards in the first.
    board_ensure_default_columns()
    columns = list(TaskGroup.objects.order_by("position"))
    rows["column", "first"], rows["column", "second"] = columns[0], columns[1]
    rows["task_group", "any"] = TaskGroup.objects.create(name="Spare", position=len(columns))

    owners = (*ROLES, "mate", "stranger")
    for owner in owners:
        user = users[owner]
        _owned(world, owner, user)
        task = _card(world, owner, creator=user, department=user.employee.department)
        _card_children(world, owner, user, task)
    _card(world, "company_wide", creator=users["stranger"], department=None)
    _card(
        world,
        "assigned",
        creator=users["stranger"],
        department=away,
        assignees=[users[role] for role in ROLES],
    )
    now = timezone.now()
    rows["board_presence", "board"] = BoardPresence.objects.create(
        user=users["stranger"], channel_name="matrix.board", connected_at=now, last_seen_at=now
    )
    rows["calendar_event", "private"] = make_event(
        created_by=users["mate"], visibility=CalendarVisibility.PRIVATE
    )

    # Assets: each caller holds one; the departments and the company have stock.
    for role in ROLES:
        rows["asset", role] = make_asset(
            assigned_to=users[role].employee, status=AssetStatus.ASSIGNED, department=home
        )
    rows["asset", DEPT] = make_asset(department=home)
    rows["asset", OTHER] = make_asset(department=away)
    rows["asset", "company_wide"] = make_asset()

    # System.
    rows["release_note", "published"] = ReleaseNote.objects.create(
        version="9.0.0", title="Published", body="Out.", released_on=DAY, is_published=True
    )
    rows["release_note", "draft"] = ReleaseNote.objects.create(
        version="9.1.0", title="Draft", body="Soon.", released_on=DAY
    )
    rows["smb_config", "any"] = SMBConfiguration.objects.create(
        name="Matrix share",
        server="127.0.0.1",
        port=closed_port(),
        share_name="reports",
        timeout_seconds=1,
    )
    for key, public in (("matrix-public", True), ("matrix-private", False)):
        rows["system_config", key] = SystemConfiguration.objects.create(
            key=key, value="on", value_type=ConfigValueType.STRING, is_public=public
        )
    return world
