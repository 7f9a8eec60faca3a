"""`initialize_data --demo`: run again it changes nothing, and what it generates could
have happened (times in order, decisions by people allowed to decide), with a little of
everything a client screen shows."""

from datetime import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api.accounts.models import ExternalUser, User
from api.accounts.roles import Role
from api.accounts.selectors import user_department_id
from api.calendar.models import CalendarEvent, EmployeeLeave, LeaveStatus
from api.kanban.models import (
    Task,
    TaskActivity,
    TaskActivityVerb,
    TaskComment,
    TaskGroup,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)
from api.notifications.models import Notification, NotificationKind
from api.org.models import Department, Employee
from api.overtime.models import OvertimeRequest, OvertimeStatus
from api.purchasing.models import Asset, AssetStatus, PurchaseRequest, PurchaseStatus
from api.system.models import ReleaseNote

pytestmark = pytest.mark.django_db

DECIDED_BY = ("first_approved_by", "second_approved_by", "rejected_by")
# Written by every run on purpose (or per request), not demo data.
VOLATILE = {"UserActivityLog", "UserSession", "LoginAttempt"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo run for the whole module, in a transaction that every test runs inside
    (pytest-django wraps each in savepoints of it and rolls them back) and that is
    rolled back once the module is done: the tests read what one run wrote, and
    those that run it again (the fixture's value) do so inside their own savepoint.
    A run is ~15 s here; once per test it was the module's whole cost."""
    from api.management.commands import initialize_data as command

    def run():
        call_command("initialize_data", "--demo", verbosity=0)

    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setattr(command, "DEMO_PASSWORD_FILE", tmp_path_factory.mktemp("demo") / "pw")
        outer = transaction.atomic()
        outer.__enter__()
        try:
            run()
            yield run
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every model of the app, in a comparable form."""
    tables = {}
    for model in apps.get_app_config("api").get_models():
        if model.__name__ in VOLATILE:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        tables[model.__name__] = sorted(model.objects.order_by("pk").values_list(*fields), key=repr)
    return tables


def test_a_second_run_changes_nothing(demo):
    first = snapshot()

    demo()

    second = snapshot()
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []


def test_a_second_run_keeps_sso_links_and_managers(demo):
    linked = dict(Employee.objects.exclude(user=None).values_list("employee_code", "user_id"))
    managers = dict(Department.objects.exclude(manager=None).values_list("code", "manager_id"))
    assert {"E00001", "E00002"} <= set(linked)
    assert "ENG" in managers

    demo()

    assert dict(Employee.objects.exclude(user=None).values_list("employee_code", "user_id")) == (
        linked
    )
    assert dict(Department.objects.exclude(manager=None).values_list("code", "manager_id")) == (
        managers
    )


def test_demo_admin_is_the_ptb_admin_of_eng_and_the_local_admin_is_named(demo):
    demo_admin = User.objects.get(username="demo.admin")
    assert demo_admin.role == Role.PTB_ADMIN
    assert user_department_id(demo_admin) == Department.objects.get(code="ENG").pk
    assert ExternalUser.objects.get(user=demo_admin).external_id == "emp-00002"
    admin = User.objects.get(username="admin")
    assert admin.get_full_name()
    assert admin.role == Role.SUPERADMIN


def test_requests_follow_the_workflow_in_time(demo):
    now = timezone.now()
    requests = list(OvertimeRequest.objects.all())
    assert len(requests) == 200
    for r in requests:
        steps = [r.created_at, r.submitted_at, r.first_approved_at, r.second_approved_at]
        present = [step for step in steps if step is not None]
        assert present == sorted(present), r
        assert all(step <= now for step in present), r
        for moment in (r.rejected_at, r.cancelled_at):
            if moment is not None:
                assert r.submitted_at is not None, r
                assert r.submitted_at <= moment <= now, r
        if r.status == OvertimeStatus.DRAFT:
            assert r.submitted_at is None
        else:
            assert r.submitted_at is not None
            # The same moment, whatever offset it was written with.
            checked_at = datetime.fromisoformat(r.regulation_check["checked_at"])
            assert checked_at == r.submitted_at
        assert "date" in r.regulation_check


def test_decisions_are_by_an_admin_of_the_department_never_the_owner(demo):
    requests = OvertimeRequest.objects.select_related("employee", *DECIDED_BY)
    decided = 0
    for r in requests:
        for name in DECIDED_BY:
            decider = getattr(r, name)
            if decider is None:
                continue
            decided += 1
            assert decider.pk not in (r.created_by_id, r.employee.user_id), r
            assert decider.role in (Role.PTB_ADMIN, Role.SUPERADMIN), (r, decider.role)
            if decider.role == Role.PTB_ADMIN:
                assert user_department_id(decider) == r.employee.department_id, r
        if r.second_approved_by_id is not None:
            assert r.second_approved_by.role == Role.SUPERADMIN
    assert decided > 50


def test_second_approvals_where_the_regulation_asks_for_them(demo):
    needing = OvertimeRequest.objects.filter(requires_second_approval=True)
    approved = OvertimeRequest.objects.filter(status=OvertimeStatus.APPROVED)
    assert approved.exists()
    for r in approved:
        assert r.first_approved_by_id is not None
        assert (r.second_approved_by_id is not None) == r.requires_second_approval, r
    for r in needing.filter(status=OvertimeStatus.PENDING_SECOND_APPROVAL):
        assert r.second_approved_by_id is None
        assert r.first_approved_by.role == Role.PTB_ADMIN


def test_the_printed_admin_has_something_to_decide(demo):
    admin = User.objects.get(username="admin")
    waiting = OvertimeRequest.objects.filter(
        status__in=[OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL]
    ).exclude(created_by=admin)
    assert not OvertimeRequest.objects.filter(created_by=admin).exists()
    assert OvertimeRequest.objects.values("created_by").distinct().count() > 1
    assert waiting.exists()


# ----------------------------------------------------------------- a little of everything

# What the demo users' screens list; each must show rows to demo.admin.
SCREENS = (
    "calendar-events",
    "employee-leaves",
    "tasks",
    "task-subtasks",
    "purchase-requests",
    "assets",
    "release-notes",
    "notifications",
)
DEMO_MODELS = (
    CalendarEvent,
    EmployeeLeave,
    Task,
    TaskComment,
    TaskSubtask,
    TaskTimeLog,
    TaskActivity,
    TaskReminder,
    PurchaseRequest,
    Asset,
    ReleaseNote,
    Notification,
)
# Moments that already happened (besides created_at/updated_at, checked everywhere).
HAPPENED = {
    EmployeeLeave: ("decided_at",),
    Task: ("completed_at",),
    TaskSubtask: ("done_at",),
    TaskTimeLog: ("started_at", "ended_at"),
    PurchaseRequest: ("decided_at",),
}


def test_every_screen_of_the_demo_admin_lists_rows(demo, client_for):
    client = client_for(User.objects.get(username="demo.admin"))
    for screen in SCREENS:
        response = client.get(f"/api/v1/{screen}/")

        assert response.status_code == 200, (screen, response.content)
        assert response.json()["results"], screen


def test_a_second_run_adds_no_demo_rows(demo):
    counts = {model.__name__: model.objects.count() for model in DEMO_MODELS}
    assert all(counts.values()), counts

    demo()

    assert {model.__name__: model.objects.count() for model in DEMO_MODELS} == counts


def test_nothing_the_demo_wrote_lies_in_the_future(demo):
    now = timezone.now()
    for model in apps.get_app_config("api").get_models():
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ]
        names += HAPPENED.get(model, ())
        for name in names:
            assert not model.objects.filter(**{f"{name}__gt": now}).exists(), (model, name)


def test_cards_fill_every_column_densely_with_work_on_them(demo):
    for column in TaskGroup.objects.all():
        cards = list(column.tasks.filter(archived_at=None).order_by("position"))
        assert cards, column.name
        assert [card.position for card in cards] == list(range(len(cards)))
        for card in cards:
            assert card.assignees.exists(), card
            assert card.subtasks.exists(), card
            assert card.comments.exclude(author=card.created_by).exists(), card
            assert (card.completed_at is not None) == column.is_done_column, card
    assert TaskTimeLog.objects.exclude(ended_at=None).exists()
    assert TaskReminder.objects.filter(sent_at=None, remind_at__gt=timezone.now()).exists()
    # Moves went through the service: the history says so.
    assert TaskActivity.objects.filter(verb=TaskActivityVerb.MOVED).exists()


def test_leave_and_events_are_past_and_upcoming_and_one_leave_waits(demo):
    today = timezone.localdate()
    assert EmployeeLeave.objects.filter(end_date__lt=today).exists()
    assert EmployeeLeave.objects.filter(start_date__gt=today).exists()
    assert CalendarEvent.objects.filter(end_at__lt=timezone.now()).exists()
    assert CalendarEvent.objects.filter(start_at__gt=timezone.now()).exists()
    waiting = EmployeeLeave.objects.get(status=LeaveStatus.PENDING)
    assert waiting.employee.user.username == "demo.employee"
    for leave in EmployeeLeave.objects.exclude(decided_by=None).select_related("employee"):
        assert leave.decided_by_id != leave.employee.user_id, leave
    for leave in EmployeeLeave.objects.filter(status=LeaveStatus.APPROVED):
        # Approved leave blocks overtime: the demo never has both on one day.
        assert not OvertimeRequest.objects.filter(
            employee=leave.employee,
            start_at__date__gte=leave.start_date,
            start_at__date__lte=leave.end_date,
        ).exists(), leave


def test_purchase_requests_in_several_states_decided_by_others(demo):
    states = set(PurchaseRequest.objects.values_list("status", flat=True))
    assert {PurchaseStatus.DRAFT, PurchaseStatus.SUBMITTED, PurchaseStatus.RECEIVED} <= states
    assert len(states) >= 5
    for purchase in PurchaseRequest.objects.exclude(decided_by=None):
        assert purchase.decided_by_id != purchase.requester_id, purchase
    assert Asset.objects.exclude(purchase_request=None).exists()
    assert Asset.objects.filter(status=AssetStatus.ASSIGNED).exists()


def test_demo_admins_are_notified_by_the_workflow(demo):
    demo_admin = User.objects.get(username="demo.admin")
    kinds = set(Notification.objects.filter(recipient=demo_admin).values_list("kind", flat=True))
    assert {
        NotificationKind.LEAVE_SUBMITTED,
        NotificationKind.PURCHASE_SUBMITTED,
        NotificationKind.TASK_ASSIGNED,
    } <= kinds
    for admin in User.objects.filter(role=Role.PTB_ADMIN):
        assert Notification.objects.filter(recipient=admin).exists(), admin
    assert not Notification.objects.filter(actor=F("recipient")).exists()
