"""How to call every operation of the matrix on a real object, and what it must change.

Each `Route` is one operation of the schema (path and method) done one way; a
workflow variant (a second approval, a triage) is a Route of its own on the same
path. For every scope it names, `target(world, role, scope)` picks the object and
`body(world, role, scope, obj)` the request; `effect(call)` asserts what an allowed
call changed: the row created, edited, moved on or deleted. What a refused call must
leave alone is the object's row or, for a call that names no object, the whole
table it writes to (`model`), compared before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from api.accounts.models import User
from api.accounts.roles import Action, Resource
from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday, LeaveStatus
from api.kanban.models import (
    Task,
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
    OvertimeRegulation,
    OvertimeRegulationDocument,
    OvertimeRequest,
    OvertimeStatus,
)
from api.purchasing.models import Asset, PurchaseRequest, PurchaseStatus
from api.reports.models import ReportJob, ReportStatus
from api.system.models import PersonalNote, ReleaseNote, SMBConfiguration, UserReport
from tests.permission_matrix.world import (
    DAY,
    DEPT,
    NEW_LEAVE_DAY,
    OTHER,
    OWN,
    PNG,
    REPORT_BYTES,
    ROLES,
    TEXT,
    World,
    at,
)

R, A = Resource, Action
# Kinds of operation: a list (the object is looked for in the answer), one object
# named in the path, a create, or an action on the collection (no object in the path).
LIST, DETAIL, CREATE, COLLECTION = "list", "detail", "create", "collection"
OWNED = (OWN, DEPT, OTHER)
ANY = ("any",)
COMPANY = "company_wide"
PAGE = {"page_size": 100}
# Time logs record work done, so the ones cases create lie in the past.
WORKED_DAY = DAY - timedelta(weeks=60)


@dataclass
class Call:
    """One case being run: who calls, on what, and what came back."""

    world: World
    role: str
    scope: str
    obj: Any
    response: Any = None

    @property
    def caller(self) -> User:
        return self.world.users[self.role]

    @property
    def json(self) -> Any:
        return self.response.json()

    def fresh(self) -> Any:
        return type(self.obj).objects.get(pk=self.obj.pk)

    def content(self) -> bytes:
        return b"".join(self.response.streaming_content)


@dataclass(frozen=True)
class Route:
    resource: str  # the short name in case ids: ptb_admin-overtime-approve-own_department
    action: str
    method: str
    path: str  # as the schema spells it, under /api
    kind: str
    scopes: tuple[str, ...]
    permission: tuple[str, str] | None  # (resource, action) HasResourcePermission asks for
    target: Callable[[World, str, str], Any] | None = None
    body: Callable[[World, str, str, Any], dict] | None = None
    effect: Callable[[Call], None] | None = None
    success: int = 200
    model: type[models.Model] | None = None
    multipart: bool = False
    field: dict[str, str] | None = None  # per scope: the field a 400 refusal names
    listed: Callable[[Any], set[int]] | None = None  # the ids a list answer shows
    deny_message: str | None = None  # the role refusal of routes outside the role table

    def key(self, scope: str) -> str:
        return f"{self.resource}-{self.action}-{scope}"

    def url(self, obj: Any) -> str:
        return "/api" + (
            self.path.replace("{id}", str(obj.pk)) if "{id}" in self.path else self.path
        )

    def ids_listed(self, response) -> set[int]:
        if self.listed is not None:
            return self.listed(response)
        return {row["id"] for row in response.json()["results"]}


# ----------------------------------------------------------------------- effects


def by_scope(kind: str) -> Callable[[World, str, str], Any]:
    return lambda world, role, scope: world.pick(kind, role, scope)


def _value(call: Call, expected):
    return expected(call) if callable(expected) else expected


def _holds(row, call: Call, expected: dict) -> None:
    for name, value in expected.items():
        assert getattr(row, name) == _value(call, value), (name, getattr(row, name))


def changed(**expected) -> Callable[[Call], None]:
    """The object's row now holds these values (callables are given the call)."""
    return lambda call: _holds(call.fresh(), call, expected)


def made(model: type[models.Model], **expected) -> Callable[[Call], None]:
    """The answer names a new row of `model` that holds these values."""
    return lambda call: _holds(model.objects.get(pk=call.json["id"]), call, expected)


def gone(call: Call) -> None:
    assert not type(call.obj).objects.filter(pk=call.obj.pk).exists()


def same_object(call: Call) -> None:
    assert call.json["id"] == call.obj.pk


def file_served(expected: bytes) -> Callable[[Call], None]:
    def check(call: Call) -> None:
        assert call.response["Content-Disposition"].startswith("attachment")
        assert call.content() == expected

    return check


def caller_id(call: Call) -> int:
    return call.caller.pk


def scope_department_id(call: Call) -> int | None:
    return None if call.scope == COMPANY else call.world.department_of(call.scope).pk


def scope_employee_id(call: Call) -> int:
    return call.world.user_of(call.role, call.scope).employee.pk


# ----------------------------------------------------------------------- builders

CRUD = ("list", "retrieve", "create", "update", "partial_update", "destroy")
READ = ("list", "retrieve")


def crud(
    resource: str,
    prefix: str,
    permission: str,
    *,
    target: Callable,
    scopes: tuple[str, ...],
    model: type[models.Model] | None = None,
    operations: tuple[str, ...] = CRUD,
    create_scopes: tuple[str, ...] = ANY,
    create_body: Callable | None = None,
    created: Callable[[Call], None] | None = None,
    create_field: dict[str, str] | None = None,
    multipart_create: bool = False,
    update_body: Callable | None = None,
    put_body: Callable | None = None,
    updated: Callable[[Call], None] | None = None,
    delete_scopes: tuple[str, ...] | None = None,
    delete_target: Callable | None = None,
    deleted: Callable[[Call], None] = gone,
) -> list[Route]:
    """The standard operations of one /api/v1 resource. PUT sends `put_body` (the
    full representation where the resource needs one), else the PATCH body."""
    collection, item = f"/v1/{prefix}/", f"/v1/{prefix}/{{id}}/"

    def op(action: str, method: str, path: str, needs: str, kind: str, **fields) -> Route:
        return Route(resource, action, method, path, kind, permission=(permission, needs), **fields)

    routes = {
        "list": op("list", "get", collection, A.VIEW, LIST, scopes=scopes, target=target),
        "retrieve": op(
            "retrieve",
            "get",
            item,
            A.VIEW,
            DETAIL,
            scopes=scopes,
            target=target,
            effect=same_object,
        ),
        "create": op(
            "create",
            "post",
            collection,
            A.CREATE,
            CREATE,
            scopes=create_scopes,
            body=create_body,
            effect=created,
            success=201,
            model=model,
            multipart=multipart_create,
            field=create_field,
        ),
        "update": op(
            "update",
            "put",
            item,
            A.CHANGE,
            DETAIL,
            scopes=scopes,
            target=target,
            body=put_body or update_body,
            effect=updated,
        ),
        "partial_update": op(
            "partial_update",
            "patch",
            item,
            A.CHANGE,
            DETAIL,
            scopes=scopes,
            target=target,
            body=update_body,
            effect=updated,
        ),
        "destroy": op(
            "destroy",
            "delete",
            item,
            A.DELETE,
            DETAIL,
            scopes=delete_scopes or scopes,
            target=delete_target or target,
            effect=deleted,
            success=204,
        ),
    }
    return [routes[name] for name in operations]


def action(
    resource: str,
    name: str,
    prefix: str,
    permission: tuple[str, str],
    *,
    scopes: tuple[str, ...],
    effect: Callable[[Call], None],
    target: Callable | None = None,
    method: str = "post",
    detail: bool = True,
    **fields,
) -> Route:
    """A custom action: /v1/<prefix>/{id}/<name>/ (or /v1/<prefix>/<name>/)."""
    segment = name.replace("_", "-")
    path = f"/v1/{prefix}/{{id}}/{segment}/" if detail else f"/v1/{prefix}/{segment}/"
    kind = DETAIL if detail else COLLECTION
    return Route(
        resource,
        name,
        method,
        path,
        kind,
        scopes=scopes,
        permission=permission,
        target=target,
        effect=effect,
        **fields,
    )


def iso(moment) -> str:
    return moment.isoformat()


# ----------------------------------------------------------------------- organisation


def _left(call: Call) -> None:
    assert call.fresh().is_active is False
    assert User.objects.get(pk=call.obj.user_id).is_active is False


ORG = [
    *crud(
        "department",
        "departments",
        R.DEPARTMENTS,
        target=by_scope("department"),
        scopes=ANY,
        model=Department,
        create_body=lambda w, r, s, o: {"code": "MX-NEW", "name": "New"},
        created=made(Department, code="MX-NEW"),
        update_body=lambda w, r, s, o: {"name": "Renamed"},
        put_body=lambda w, r, s, o: {"code": o.code, "name": "Renamed"},
        updated=changed(name="Renamed"),
    ),
    *crud(
        "employee",
        "employees",
        R.EMPLOYEES,
        target=lambda w, r, s: w.user_of(r, s).employee,
        scopes=OWNED,
        model=Employee,
        create_scopes=(DEPT, OTHER),
        create_body=lambda w, r, s, o: {
            "employee_code": "MX-NEW",
            "first_name": "New",
            "department": w.department_of(s).pk,
        },
        created=made(Employee, department_id=scope_department_id),
        update_body=lambda w, r, s, o: {"position": "Lead"},
        put_body=lambda w, r, s, o: {
            "employee_code": o.employee_code,
            "first_name": o.first_name,
            "department": o.department_id,
            "position": "Lead",
        },
        updated=changed(position="Lead"),
        # Records with history (overtime, leave) are kept: deletes take spare ones.
        delete_scopes=(DEPT, OTHER),
        delete_target=lambda w, r, s: w.rows["employee", f"spare_{s}"],
    ),
    # The same route, for someone who leaves: their login is locked with the record.
    Route(
        "employee",
        "deactivate",
        "patch",
        "/v1/employees/{id}/",
        DETAIL,
        scopes=(*OWNED, "developer_account"),
        permission=(R.EMPLOYEES, A.CHANGE),
        target=lambda w, r, s: w.user_of(r, s).employee,
        body=lambda w, r, s, o: {"is_active": False},
        effect=lambda call: _left(call),
    ),
    *crud(
        "project",
        "projects",
        R.PROJECTS,
        target=by_scope("project"),
        scopes=(DEPT, OTHER, COMPANY),
        model=Project,
        create_scopes=(DEPT, OTHER, COMPANY),
        create_body=lambda w, r, s, o: {
            "code": "MX-NEW",
            "name": "New",
            "department": None if s == COMPANY else w.department_of(s).pk,
        },
        created=made(Project, department_id=scope_department_id),
        update_body=lambda w, r, s, o: {"name": "Renamed"},
        put_body=lambda w, r, s, o: {
            "code": o.code,
            "name": "Renamed",
            "department": o.department_id,
        },
        updated=changed(name="Renamed"),
    ),
]

# ----------------------------------------------------------------------- overtime


def _overtime(state: str) -> Callable:
    return by_scope(f"overtime_{state}")


def _new_overtime(world: World, role: str, scope: str, obj) -> dict:
    """Own: for oneself; otherwise for the mate or the stranger, named."""
    day = DAY + timedelta(days=5)
    body = {"start_at": iso(at(day, 18)), "end_at": iso(at(day, 19)), "reason": "Go-live"}
    if scope != OWN:
        body["employee"] = world.user_of(role, scope).employee.pk
    return body


def _regulation(world: World, name: str) -> dict:
    return {
        "name": name,
        "scope": "department",
        "department": world.away.pk,
        "max_hours_per_day": "4",
        "max_hours_per_week": "18",
        "max_hours_per_month": "72",
        "max_hours_per_year": "720",
        "effective_from": (DAY + timedelta(days=400)).isoformat(),
        "is_active": False,
    }


def _checked_only(call: Call) -> None:
    assert "violations" in call.json
    assert "day_category" in call.json
    assert not OvertimeRequest.objects.filter(reason="Go-live").exists()


def _allowance_query(world: World, role: str, scope: str, obj) -> dict:
    query = {"date": DAY.isoformat()}
    if scope != OWN:
        query["employee"] = world.user_of(role, scope).employee.pk
    return query


def _allowance_of_scope(call: Call) -> None:
    assert call.json["employee"] == call.world.user_of(call.role, call.scope).employee.pk
    assert "periods" in call.json


def _decided_as_alone(call: Call) -> None:
    """The id's outcome is what `overtime-approve-<scope>` gives this role alone."""
    from tests.permission_matrix.test_matrix import EXPECTED  # the table lives there

    alone = EXPECTED[f"overtime-approve-{call.scope}"][ROLES.index(call.role)]
    (outcome,) = call.json["results"]
    assert outcome["id"] == call.obj.pk
    if alone == "ok":
        assert outcome["status"] == OvertimeStatus.APPROVED
        assert call.fresh().status == OvertimeStatus.APPROVED
    else:
        assert outcome["error"]["status"] == {"hide": 404, "no": 403}[alone], outcome
        assert call.fresh().status == OvertimeStatus.SUBMITTED


OT, OT_PERMISSION = "overtime-requests", R.OVERTIME_REQUESTS
OVERTIME = [
    *crud(
        "overtime",
        OT,
        OT_PERMISSION,
        target=_overtime("draft"),
        scopes=OWNED,
        model=OvertimeRequest,
        create_scopes=OWNED,
        create_body=_new_overtime,
        created=made(
            OvertimeRequest,
            employee_id=scope_employee_id,
            created_by_id=caller_id,
            status=OvertimeStatus.DRAFT,
        ),
        update_body=lambda w, r, s, o: {"reason": "Changed"},
        updated=changed(reason="Changed"),
    ),
    action(
        "overtime",
        "submit",
        OT,
        (OT_PERMISSION, A.CREATE),
        scopes=OWNED,
        target=_overtime("draft"),
        effect=changed(status=OvertimeStatus.SUBMITTED),
    ),
    action(
        "overtime",
        "approve",
        OT,
        (OT_PERMISSION, A.APPROVE),
        scopes=OWNED,
        target=_overtime("submitted"),
        effect=changed(status=OvertimeStatus.APPROVED, first_approved_by_id=caller_id),
    ),
    # The same route, on a request a department admin has approved once already.
    Route(
        "overtime",
        "approve_second",
        "post",
        f"/v1/{OT}/{{id}}/approve/",
        DETAIL,
        scopes=OWNED,
        permission=(OT_PERMISSION, A.APPROVE),
        target=_overtime("pending"),
        effect=changed(status=OvertimeStatus.APPROVED, second_approved_by_id=caller_id),
    ),
    action(
        "overtime",
        "reject",
        OT,
        (OT_PERMISSION, A.APPROVE),
        scopes=OWNED,
        target=_overtime("submitted"),
        body=lambda w, r, s, o: {"reason": "Not needed"},
        effect=changed(status=OvertimeStatus.REJECTED, rejected_by_id=caller_id),
    ),
    action(
        "overtime",
        "cancel",
        OT,
        (OT_PERMISSION, A.CHANGE),
        scopes=OWNED,
        target=_overtime("submitted"),
        effect=changed(status=OvertimeStatus.CANCELLED),
    ),
    # What submitting would do: the create's rules, nothing written.
    action(
        "overtime",
        "check",
        OT,
        (OT_PERMISSION, A.CREATE),
        scopes=OWNED,
        detail=False,
        body=_new_overtime,
        model=OvertimeRequest,
        effect=_checked_only,
    ),
    # The allowance of the caller's own employee, or of one they may see.
    action(
        "overtime",
        "allowance",
        OT,
        (OT_PERMISSION, A.VIEW),
        method="get",
        scopes=OWNED,
        detail=False,
        body=_allowance_query,
        effect=_allowance_of_scope,
    ),
    # Each id decided as a single approve would decide it (the call itself is a 200).
    action(
        "overtime",
        "bulk_decide",
        OT,
        (OT_PERMISSION, A.APPROVE),
        scopes=OWNED,
        detail=False,
        target=_overtime("submitted"),
        body=lambda w, r, s, o: {"ids": [o.pk], "action": "approve"},
        model=OvertimeRequest,
        effect=_decided_as_alone,
    ),
    action(
        "overtime",
        "export",
        OT,
        (OT_PERMISSION, A.EXPORT),
        scopes=(DEPT, OTHER),
        detail=False,
        body=lambda w, r, s, o: {
            "kind": "daily",
            "date": DAY.isoformat(),
            "department": w.department_of(s).pk,
        },
        success=202,
        model=ReportJob,
        effect=made(
            ReportJob,
            requested_by_id=caller_id,
            filters=lambda c: {"department": scope_department_id(c)},
            status=ReportStatus.QUEUED,
        ),
    ),
    *crud(
        "regulation",
        "overtime-regulations",
        R.OVERTIME_REGULATIONS,
        target=by_scope("regulation"),
        scopes=ANY,
        model=OvertimeRegulation,
        create_body=lambda w, r, s, o: _regulation(w, "New"),
        created=made(OvertimeRegulation, name="New"),
        update_body=lambda w, r, s, o: {"name": "Renamed"},
        put_body=lambda w, r, s, o: _regulation(w, "Renamed"),
        updated=changed(name="Renamed"),
    ),
    *crud(
        "regulation_document",
        "regulation-documents",
        R.REGULATION_DOCUMENTS,
        target=by_scope("regulation_document"),
        scopes=ANY,
        model=OvertimeRegulationDocument,
        # A file is replaced by uploading a new version: no PUT.
        operations=("list", "retrieve", "create", "partial_update", "destroy"),
        multipart_create=True,
        create_body=lambda w, r, s, o: {
            "regulation": w.rows["regulation", "global"].pk,
            "title": "Rules",
            "version": "2",
            "file": SimpleUploadedFile("rules-2.txt", TEXT),
        },
        created=made(OvertimeRegulationDocument, version="2", uploaded_by_id=caller_id),
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        updated=changed(title="Renamed"),
    ),
    action(
        "regulation_document",
        "download",
        "regulation-documents",
        (R.REGULATION_DOCUMENTS, A.VIEW),
        method="get",
        scopes=ANY,
        target=by_scope("regulation_document"),
        effect=file_served(TEXT),
    ),
]

# ----------------------------------------------------------------------- calendar

LEAVE = "employee-leaves"
CALENDAR = [
    *crud(
        "holiday",
        "holidays",
        R.HOLIDAYS,
        target=by_scope("holiday"),
        scopes=ANY,
        model=Holiday,
        create_body=lambda w, r, s, o: {
            "date": (DAY + timedelta(days=60)).isoformat(),
            "name": "Christmas",
        },
        created=made(Holiday, name="Christmas"),
        update_body=lambda w, r, s, o: {"name": "Renamed"},
        put_body=lambda w, r, s, o: {"date": o.date.isoformat(), "name": "Renamed"},
        updated=changed(name="Renamed"),
    ),
    *crud(
        "calendar_event",
        "calendar-events",
        R.CALENDAR_EVENTS,
        target=by_scope("calendar_event"),
        # Department events of HOME and AWAY, and the mate's private one.
        scopes=(*OWNED, "private"),
        model=CalendarEvent,
        create_scopes=(DEPT, OTHER),
        create_body=lambda w, r, s, o: {
            "title": "Planning",
            "start_at": iso(at(DAY, 9)),
            "end_at": iso(at(DAY, 10)),
            "visibility": "department",
            "department": w.department_of(s).pk,
        },
        created=made(CalendarEvent, created_by_id=caller_id, department_id=scope_department_id),
        create_field={OTHER: "department"},
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        updated=changed(title="Renamed"),
    ),
    *crud(
        "leave",
        LEAVE,
        R.EMPLOYEE_LEAVES,
        target=by_scope("leave"),
        scopes=OWNED,
        model=EmployeeLeave,
        create_scopes=OWNED,
        create_body=lambda w, r, s, o: {
            "leave_type": "annual",
            "start_date": NEW_LEAVE_DAY.isoformat(),
            "end_date": (NEW_LEAVE_DAY + timedelta(days=1)).isoformat(),
            **({} if s == OWN else {"employee": w.user_of(r, s).employee.pk}),
        },
        created=made(EmployeeLeave, employee_id=scope_employee_id, status=LeaveStatus.PENDING),
        update_body=lambda w, r, s, o: {"reason": "Changed"},
        updated=changed(reason="Changed"),
    ),
    action(
        "leave",
        "approve",
        LEAVE,
        (R.EMPLOYEE_LEAVES, A.APPROVE),
        scopes=OWNED,
        target=by_scope("leave"),
        effect=changed(status=LeaveStatus.APPROVED, decided_by_id=caller_id),
    ),
    action(
        "leave",
        "reject",
        LEAVE,
        (R.EMPLOYEE_LEAVES, A.APPROVE),
        scopes=OWNED,
        target=by_scope("leave"),
        body=lambda w, r, s, o: {"reason": "Busy week"},
        effect=changed(status=LeaveStatus.REJECTED, decided_by_id=caller_id),
    ),
    action(
        "leave",
        "cancel",
        LEAVE,
        (R.EMPLOYEE_LEAVES, A.CHANGE),
        scopes=OWNED,
        target=by_scope("leave"),
        effect=changed(status=LeaveStatus.CANCELLED),
    ),
]

# ----------------------------------------------------------------------- notifications


def _unread_count_is_the_callers(call: Call) -> None:
    assert call.json == {"unread_count": 1}
    assert Notification.objects.filter(recipient=call.caller, is_read=False).count() == 1


def _all_mine_read(call: Call) -> None:
    assert call.json["updated"] == 1
    assert not Notification.objects.filter(recipient=call.caller, is_read=False).exists()
    # Nobody else's inbox moved.
    assert Notification.objects.filter(recipient=call.world.users["mate"], is_read=False).exists()


NOTIFICATIONS = [
    *crud(
        "notification",
        "notifications",
        R.NOTIFICATIONS,
        target=by_scope("notification"),
        scopes=OWNED,
        operations=READ,
    ),
    action(
        "notification",
        "mark_read",
        "notifications",
        (R.NOTIFICATIONS, A.CHANGE),
        scopes=OWNED,
        target=by_scope("notification"),
        effect=changed(is_read=True),
    ),
    action(
        "notification",
        "mark_all_read",
        "notifications",
        (R.NOTIFICATIONS, A.CHANGE),
        scopes=(OWN,),
        detail=False,
        model=Notification,
        effect=_all_mine_read,
    ),
    action(
        "notification",
        "unread_count",
        "notifications",
        (R.NOTIFICATIONS, A.VIEW),
        method="get",
        scopes=(OWN,),
        detail=False,
        effect=_unread_count_is_the_callers,
    ),
]

# ----------------------------------------------------------------------- system


def _config_readable(call: Call) -> None:
    entries = call.json["settings"]
    assert entries["matrix-public"] == "on"
    # Non-public entries are the developers'.
    assert ("matrix-private" in entries) is (call.role == "developer")


def _connection_tested(call: Call) -> None:
    row = call.fresh()
    assert row.last_tested_at is not None
    assert call.json["connect"] is False  # nothing listens there
    assert row.last_test_result == call.json


SYSTEM = [
    *crud(
        "activity_log",
        "activity-logs",
        R.ACTIVITY_LOGS,
        target=by_scope("activity_log"),
        scopes=OWNED,
        operations=READ,
    ),
    *crud(
        "personal_note",
        "personal-notes",
        R.PERSONAL_NOTES,
        target=by_scope("personal_note"),
        scopes=OWNED,
        model=PersonalNote,
        create_scopes=(OWN,),
        create_body=lambda w, r, s, o: {"title": "New note"},
        created=made(PersonalNote, owner_id=caller_id),
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        updated=changed(title="Renamed"),
    ),
    *crud(
        "user_report",
        "user-reports",
        R.USER_REPORTS,
        target=by_scope("user_report"),
        scopes=OWNED,
        model=UserReport,
        create_scopes=(OWN,),
        create_body=lambda w, r, s, o: {"title": "Crash", "description": "It broke again."},
        created=made(UserReport, reporter_id=caller_id, status="open"),
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        put_body=lambda w, r, s, o: {"title": "Renamed", "description": "Still broken."},
        updated=changed(title="Renamed"),
    ),
    # The same route, setting what only those who triage reports set.
    Route(
        "user_report",
        "triage",
        "patch",
        "/v1/user-reports/{id}/",
        DETAIL,
        scopes=OWNED,
        permission=(R.USER_REPORTS, A.CHANGE),
        target=by_scope("user_report"),
        body=lambda w, r, s, o: {"status": "resolved"},
        effect=changed(status="resolved", resolved_by_id=caller_id),
    ),
    action(
        "user_report",
        "download_screenshot",
        "user-reports",
        (R.USER_REPORTS, A.VIEW),
        method="get",
        scopes=OWNED,
        target=by_scope("user_report"),
        effect=file_served(PNG),
    ),
    *crud(
        "release_note",
        "release-notes",
        R.RELEASE_NOTES,
        target=by_scope("release_note"),
        scopes=("published", "draft"),
        model=ReleaseNote,
        create_body=lambda w, r, s, o: {
            "version": "9.2.0",
            "title": "New",
            "body": "Notes.",
            "released_on": DAY.isoformat(),
        },
        created=made(ReleaseNote, version="9.2.0", created_by_id=caller_id),
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        put_body=lambda w, r, s, o: {
            "version": o.version,
            "title": "Renamed",
            "body": o.body,
            "released_on": o.released_on.isoformat(),
        },
        updated=changed(title="Renamed"),
    ),
    *crud(
        "smb_config",
        "smb-configs",
        R.SMB_CONFIGS,
        target=by_scope("smb_config"),
        scopes=ANY,
        model=SMBConfiguration,
        create_body=lambda w, r, s, o: {
            "name": "Other share",
            "server": "127.0.0.1",
            "share_name": "other",
        },
        created=made(SMBConfiguration, name="Other share"),
        update_body=lambda w, r, s, o: {"share_name": "renamed"},
        put_body=lambda w, r, s, o: {"name": o.name, "server": o.server, "share_name": "renamed"},
        updated=changed(share_name="renamed"),
    ),
    action(
        "smb_config",
        "test_connection",
        "smb-configs",
        (R.SMB_CONFIGS, A.CHANGE),
        scopes=ANY,
        target=by_scope("smb_config"),
        effect=_connection_tested,
    ),
    Route(
        "system_config",
        "retrieve",
        "get",
        "/v1/system/config/",
        COLLECTION,
        scopes=ANY,
        permission=(R.SYSTEM_CONFIG, A.VIEW),
        effect=_config_readable,
    ),
]

# ----------------------------------------------------------------------- reports

REPORTS = [
    *crud(
        "report_job",
        "report-jobs",
        R.REPORTS,
        target=by_scope("report_job"),
        scopes=OWNED,
        operations=READ,
    ),
    action(
        "report_job",
        "download",
        "report-jobs",
        (R.REPORTS, A.VIEW),
        method="get",
        scopes=OWNED,
        target=by_scope("report_job"),
        effect=file_served(REPORT_BYTES),
    ),
    action(
        "report_job",
        "retry",
        "report-jobs",
        (R.REPORTS, A.CREATE),
        scopes=OWNED,
        target=by_scope("report_job"),
        success=202,
        effect=changed(status=ReportStatus.QUEUED, error=""),
    ),
]

# ----------------------------------------------------------------------- access control

ACCESS = crud(
    "access_control",
    "users/access-control",
    R.ACCESS_CONTROL,
    # Oneself, the mate, the stranger, and another developer.
    target=lambda w, r, s: w.user_of(r, s),
    scopes=(*OWNED, "developer_account"),
    model=User,
    create_scopes=("staff_account", "developer_account"),
    create_body=lambda w, r, s, o: {
        "username": "mx.new",
        "password": "Tangerine-Kettle-93",
        "role": "staff" if s == "staff_account" else "developer",
    },
    created=made(User, username="mx.new"),
    update_body=lambda w, r, s, o: {"role": "ptb_admin"},
    updated=changed(role="ptb_admin"),
    # Accounts are deactivated, never deleted.
    deleted=changed(is_active=False),
)

# ----------------------------------------------------------------------- kanban

CARD_SCOPES = (*OWNED, COMPANY, "assigned")


def card_of(world: World, role: str, scope: str) -> Task:
    return world.pick("task", role, scope)


def _on_card(extra: Callable[[World, str, str], dict]) -> Callable:
    """The body of a new child of the scope's card (the mate's or the stranger's)."""
    return lambda w, r, s, o: {"task": card_of(w, r, s).pk, **extra(w, r, s)}


def _made_on_card(model: type[models.Model], **expected) -> Callable[[Call], None]:
    return made(model, task_id=lambda c: card_of(c.world, c.role, c.scope).pk, **expected)


def _board_ids(response) -> set[int]:
    return {card["id"] for column in response.json()["columns"] for card in column["cards"]}


def _moved(call: Call) -> None:
    row = call.fresh()
    assert row.group_id == call.world.rows["column", "second"].pk
    assert row.position == 0


def _archived(call: Call) -> None:
    row = call.fresh()
    assert row.archived_at is not None
    assert row.position is None


def _soft_deleted(call: Call) -> None:
    assert call.fresh().deleted_at is not None


def _column_ids() -> list[int]:
    return list(TaskGroup.objects.order_by("position").values_list("pk", flat=True))


def _columns_reversed(call: Call) -> None:
    assert [column["id"] for column in call.json] == _column_ids()
    assert _column_ids()[0] == call.world.rows["task_group", "any"].pk  # was the last


CHILD_CREATE = (DEPT, OTHER)
INVISIBLE_CARD = {OTHER: "task"}
KANBAN = [
    *crud(
        "task",
        "tasks",
        R.TASKS,
        target=by_scope("task"),
        scopes=CARD_SCOPES,
        model=Task,
        create_scopes=(DEPT, OTHER, COMPANY),
        create_body=lambda w, r, s, o: {
            "title": "New card",
            "department": None if s == COMPANY else w.department_of(s).pk,
        },
        created=made(Task, created_by_id=caller_id, department_id=scope_department_id),
        create_field={OTHER: "department"},
        update_body=lambda w, r, s, o: {"title": "Renamed", "version": o.version},
        updated=changed(title="Renamed", version=lambda c: c.obj.version + 1),
        deleted=_archived,
    ),
    Route(
        "board",
        "board",
        "get",
        "/v2/board/",
        LIST,
        scopes=CARD_SCOPES,
        permission=(R.TASKS, A.VIEW),
        target=by_scope("task"),
        listed=_board_ids,
    ),
    Route(
        "board",
        "move",
        "post",
        "/v2/board/move/",
        COLLECTION,
        scopes=CARD_SCOPES,
        permission=(R.TASKS, A.CHANGE),
        target=by_scope("task"),
        body=lambda w, r, s, o: {
            "task": o.pk,
            "group": w.rows["column", "second"].pk,
            "position": 0,
        },
        effect=_moved,
        field=INVISIBLE_CARD,
    ),
    *crud(
        "task_group",
        "task-groups",
        R.TASK_GROUPS,
        target=by_scope("task_group"),
        scopes=ANY,
        model=TaskGroup,
        create_body=lambda w, r, s, o: {"name": "New column"},
        created=made(TaskGroup, name="New column"),
        update_body=lambda w, r, s, o: {"name": "Renamed"},
        updated=changed(name="Renamed"),
    ),
    action(
        "task_group",
        "reorder",
        "task-groups",
        (R.TASK_GROUPS, A.CHANGE),
        scopes=ANY,
        detail=False,
        model=TaskGroup,
        body=lambda w, r, s, o: {"order": list(reversed(_column_ids()))},
        effect=_columns_reversed,
    ),
    *crud(
        "task_comment",
        "task-comments",
        R.TASK_COMMENTS,
        target=by_scope("task_comment"),
        scopes=OWNED,
        model=TaskComment,
        create_scopes=CHILD_CREATE,
        create_body=_on_card(lambda w, r, s: {"body": "New comment"}),
        created=_made_on_card(TaskComment, author_id=caller_id),
        create_field=INVISIBLE_CARD,
        update_body=lambda w, r, s, o: {"body": "Edited"},
        updated=changed(body="Edited"),
        # A deleted comment keeps its place in the thread, emptied.
        deleted=_soft_deleted,
    ),
    *crud(
        "task_subtask",
        "task-subtasks",
        R.TASK_SUBTASKS,
        target=by_scope("task_subtask"),
        # Subtasks have no author: the mate's card and the stranger's.
        scopes=(DEPT, OTHER),
        model=TaskSubtask,
        create_scopes=CHILD_CREATE,
        create_body=_on_card(lambda w, r, s: {"title": "New step"}),
        created=_made_on_card(TaskSubtask),
        create_field=INVISIBLE_CARD,
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        updated=changed(title="Renamed"),
    ),
    *crud(
        "task_time_log",
        "task-time-logs",
        R.TASK_TIME_LOGS,
        target=by_scope("task_time_log"),
        scopes=OWNED,
        model=TaskTimeLog,
        create_scopes=CHILD_CREATE,
        create_body=_on_card(
            lambda w, r, s: {
                "started_at": iso(at(WORKED_DAY, 11)),
                "ended_at": iso(at(WORKED_DAY, 12)),
            }
        ),
        created=_made_on_card(TaskTimeLog, user_id=caller_id),
        create_field=INVISIBLE_CARD,
        update_body=lambda w, r, s, o: {"note": "Edited"},
        updated=changed(note="Edited"),
    ),
    *crud(
        "task_activity",
        "task-activities",
        R.TASK_ACTIVITIES,
        target=by_scope("task_activity"),
        scopes=(DEPT, OTHER),
        operations=READ,
    ),
    *crud(
        "task_attachment",
        "task-attachments",
        R.TASK_ATTACHMENTS,
        target=by_scope("task_attachment"),
        scopes=OWNED,
        model=TaskAttachment,
        operations=("list", "retrieve", "create", "destroy"),
        create_scopes=CHILD_CREATE,
        multipart_create=True,
        create_body=_on_card(lambda w, r, s: {"file": SimpleUploadedFile("more.txt", TEXT)}),
        created=_made_on_card(TaskAttachment, uploaded_by_id=caller_id),
        create_field=INVISIBLE_CARD,
    ),
    action(
        "task_attachment",
        "download",
        "task-attachments",
        (R.TASK_ATTACHMENTS, A.VIEW),
        method="get",
        scopes=OWNED,
        target=by_scope("task_attachment"),
        effect=file_served(TEXT),
    ),
    *crud(
        "task_reminder",
        "task-reminders",
        R.TASK_REMINDERS,
        target=by_scope("task_reminder"),
        scopes=OWNED,
        model=TaskReminder,
        # Own: for oneself on one's card; the others remind the mate or the stranger
        # on their own cards.
        create_scopes=OWNED,
        create_body=lambda w, r, s, o: {
            "task": card_of(w, r, s).pk,
            "remind_at": iso(at(DAY, 7)),
            **({} if s == OWN else {"user": w.user_of(r, s).pk}),
        },
        created=made(TaskReminder, user_id=lambda c: c.world.user_of(c.role, c.scope).pk),
        create_field={DEPT: "user", OTHER: "task"},
        update_body=lambda w, r, s, o: {"message": "Edited"},
        put_body=lambda w, r, s, o: {"remind_at": iso(at(DAY, 7)), "message": "Edited"},
        updated=changed(message="Edited"),
    ),
    *crud(
        "board_presence",
        "board-presence",
        R.BOARD_PRESENCE,
        target=by_scope("board_presence"),
        # Someone on the board itself, and on the mate's and the stranger's cards.
        scopes=("board", DEPT, OTHER),
        operations=READ,
    ),
]

# ----------------------------------------------------------------------- purchasing


def _purchase(state: str) -> Callable:
    return by_scope(f"purchase_{state}")


PR, PR_PERMISSION = "purchase-requests", R.PURCHASE_REQUESTS
PURCHASING = [
    *crud(
        "purchase",
        PR,
        PR_PERMISSION,
        target=_purchase("draft"),
        scopes=OWNED,
        model=PurchaseRequest,
        create_scopes=(OWN,),
        create_body=lambda w, r, s, o: {
            "title": "Cables",
            "items": [{"name": "Cable", "quantity": "2", "unit_price": "5.00"}],
        },
        created=made(
            PurchaseRequest,
            requester_id=caller_id,
            department_id=lambda c: c.world.home.pk,
            status=PurchaseStatus.DRAFT,
        ),
        update_body=lambda w, r, s, o: {"title": "Renamed"},
        updated=changed(title="Renamed"),
    ),
    *(
        action(
            "purchase",
            name,
            PR,
            (PR_PERMISSION, needs),
            scopes=OWNED,
            target=_purchase(start),
            effect=changed(status=end, **decided),
            **({"body": lambda w, r, s, o: {"reason": "Over budget"}} if name == "reject" else {}),
        )
        for name, needs, start, end, decided in (
            ("submit", A.CHANGE, "draft", PurchaseStatus.SUBMITTED, {}),
            (
                "approve",
                A.APPROVE,
                "submitted",
                PurchaseStatus.APPROVED,
                {"decided_by_id": caller_id},
            ),
            (
                "reject",
                A.APPROVE,
                "submitted",
                PurchaseStatus.REJECTED,
                {"decided_by_id": caller_id},
            ),
            ("cancel", A.CHANGE, "submitted", PurchaseStatus.CANCELLED, {}),
            ("mark_ordered", A.APPROVE, "approved", PurchaseStatus.ORDERED, {}),
            ("mark_received", A.APPROVE, "ordered", PurchaseStatus.RECEIVED, {}),
        )
    ),
    *crud(
        "asset",
        "assets",
        R.ASSETS,
        target=by_scope("asset"),
        # One the caller holds, HOME's and AWAY's stock, and stock of no department.
        scopes=(*OWNED, COMPANY),
        model=Asset,
        create_scopes=(DEPT, OTHER),
        create_body=lambda w, r, s, o: {
            "asset_tag": "MX-NEW",
            "name": "Monitor",
            "department": w.department_of(s).pk,
        },
        created=made(Asset, department_id=scope_department_id),
        create_field={OTHER: "department"},
        update_body=lambda w, r, s, o: {"name": "Renamed"},
        put_body=lambda w, r, s, o: {"asset_tag": o.asset_tag, "name": "Renamed"},
        updated=changed(name="Renamed"),
    ),
]

# ----------------------------------------------------------------------- outside the role table


def _profile_is_the_callers(call: Call) -> None:
    assert (call.json["id"], call.json["role"]) == (call.caller.pk, call.role)


def _ticket_is_the_callers(call: Call) -> None:
    grant = cache.get(f"ws-ticket:{call.json['ticket']}")
    assert grant["user_id"] == call.caller.pk


def _health_reported(call: Call) -> None:
    assert {"database", "cache"} <= set(call.json["checks"])


OTHERS = [
    # Any signed-in user: the profile and the socket tickets are one's own.
    Route(
        "me",
        "retrieve",
        "get",
        "/auth/me/",
        COLLECTION,
        scopes=(OWN,),
        permission=None,
        effect=_profile_is_the_callers,
    ),
    Route(
        "realtime_ticket",
        "create",
        "post",
        "/v1/realtime/tickets/",
        COLLECTION,
        scopes=(OWN,),
        permission=None,
        effect=_ticket_is_the_callers,
        success=201,
    ),
    Route(
        "health",
        "detailed",
        "get",
        "/health/detailed/",
        COLLECTION,
        scopes=ANY,
        permission=None,
        effect=_health_reported,
        deny_message="Only superadmins may do this.",
    ),
]

ROUTES: list[Route] = [
    *ORG,
    *OVERTIME,
    *CALENDAR,
    *NOTIFICATIONS,
    *SYSTEM,
    *REPORTS,
    *ACCESS,
    *KANBAN,
    *PURCHASING,
    *OTHERS,
]

# Operations no role governs: signing in and out, and the public health probes.
PUBLIC = {
    ("/auth/login/local/", "post"),
    ("/auth/login/external/", "post"),
    ("/auth/token/refresh/", "post"),
    ("/auth/token/verify/", "post"),
    ("/auth/logout/", "post"),
    ("/health/", "get"),
    ("/health/live/", "get"),
    ("/health/ready/", "get"),
}
