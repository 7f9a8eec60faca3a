"""Row locks of the workflow on real PostgreSQL transactions: submits of one employee
queue behind each other, so two requests cannot both take the last free hours of a
limit; a decision locks its request only, not the employee."""

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from api.accounts.roles import Role
from api.common.exceptions import RuleViolation
from api.org.models import Employee
from api.overtime import services
from api.overtime.models import OvertimeRequest, OvertimeStatus
from tests.factories import make_department, make_regulation, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL"),
]

DAY = date(2026, 11, 17)
# How long the lock holder waits for the other transaction before it commits anyway.
PATIENCE = 1.5


def at(hour: int) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=tz)


@pytest.fixture
def team():
    department = make_department(code="OPS")
    make_regulation(max_hours_per_day=Decimal("3"), second_approval_threshold_hours=None)
    return {
        "employee": make_user(Role.STAFF, department=department),
        "admin": make_user(Role.PTB_ADMIN, department=department),
    }


def draft(user, start: int, end: int) -> OvertimeRequest:
    return services.overtime_request_create(
        by=user, start_at=at(start), end_at=at(end), reason="Stocktake"
    )


def in_thread(work, outcome: dict, done: threading.Event) -> threading.Thread:
    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:  # reported to the test, not lost in the thread
            outcome["error"] = error
        finally:
            done.set()
            connection.close()  # each thread has its own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def holding_the_employee(employee: Employee, locked: threading.Event, release, then=None):
    """Locks the employee row (as a submit does), waits for `release`, runs `then`."""

    def hold() -> None:
        with transaction.atomic():
            Employee.objects.select_for_update().get(pk=employee.pk)
            locked.set()
            release.wait(timeout=PATIENCE)
            if then is not None:
                then()

    return hold


def test_a_second_submit_waits_for_the_first_and_counts_its_hours(team):
    employee = team["employee"]
    first, second = draft(employee, 18, 20), draft(employee, 10, 12)  # 2 h each, 3 h a day
    locked, second_done = threading.Event(), threading.Event()

    def first_submit_commits() -> None:
        OvertimeRequest.objects.filter(pk=first.pk).update(status=OvertimeStatus.SUBMITTED)

    holder_outcome, second_outcome = {}, {}
    holder = in_thread(
        holding_the_employee(employee.employee, locked, second_done, then=first_submit_commits),
        holder_outcome,
        threading.Event(),
    )
    assert locked.wait(timeout=10)
    submitter = in_thread(
        lambda: services.overtime_request_submit(overtime_request=second, by=employee),
        second_outcome,
        second_done,
    )
    for thread in (holder, submitter):
        thread.join(timeout=30)
        assert not thread.is_alive()

    assert "error" not in holder_outcome
    refused = second_outcome.get("error")
    assert isinstance(refused, RuleViolation), second_outcome
    assert refused.extra["limit"] == "daily"
    assert refused.extra["booked_hours"] == "2.00"
    assert OvertimeRequest.objects.get(pk=second.pk).status == OvertimeStatus.DRAFT


def test_a_decision_does_not_wait_for_a_submit_of_the_same_employee(team):
    employee = team["employee"]
    request = services.overtime_request_submit(
        overtime_request=draft(employee, 18, 20), by=employee
    )
    locked, approved = threading.Event(), threading.Event()
    holder_outcome, approver_outcome = {}, {}
    holder = in_thread(
        holding_the_employee(employee.employee, locked, approved), holder_outcome, threading.Event()
    )
    assert locked.wait(timeout=10)

    def approve():
        with connection.cursor() as cursor:  # waiting for the employee row fails the test
            cursor.execute("SET lock_timeout = '1s'")
        return services.overtime_request_approve(overtime_request=request, by=team["admin"])

    approver = in_thread(approve, approver_outcome, approved)
    for thread in (approver, holder):
        thread.join(timeout=30)
        assert not thread.is_alive()

    assert "error" not in holder_outcome
    assert "error" not in approver_outcome, approver_outcome
    assert approver_outcome["result"].status == OvertimeStatus.APPROVED
