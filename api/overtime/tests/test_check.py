"""POST /overtime-requests/check/: what submitting a body would do, answered from the
same service functions a create and a submit run, and nothing written."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.overtime.models import OvertimeStatus
from api.overtime.regulation_defaults import compensation_tiers_replace
from tests.factories import make_department, make_overtime, make_regulation, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/"
CHECK = f"{URL}check/"
JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _jakarta(settings):
    settings.TIME_ZONE = "Asia/Jakarta"


@pytest.fixture
def staff_user():
    regulation = make_regulation(second_approval_threshold_hours=Decimal("2"))
    compensation_tiers_replace(regulation)
    return make_user(Role.STAFF, department=make_department())


@pytest.fixture
def staff(client_for, staff_user):
    return client_for(staff_user)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA)


def body(day: date, start: int, hours: float, **extra) -> dict:
    begin = local(day, start)
    end = begin + timedelta(hours=hours)
    return {"start_at": begin.isoformat(), "end_at": end.isoformat(), "reason": "Audit", **extra}


def book(employee, day: date, start: int, hours: float, status=OvertimeStatus.APPROVED):
    begin = local(day, start)
    net = Decimal(str(hours))
    return make_overtime(
        employee=employee,
        start_at=begin,
        end_at=begin + timedelta(hours=hours),
        status=status,
        total_hours=net,
        net_hours=net,
    )


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_the_check_answers_what_a_submit_would_decide(staff):
    response = staff.post(CHECK, body(MONDAY + timedelta(days=5), 9, 5), format="json")

    assert response.status_code == 200, response.content
    verdict = response.json()
    assert verdict["violations"] == []  # rest-day hours stay out of the daily limit
    assert verdict["requires_second_approval"] is True  # 5 h > 2 h
    assert verdict["is_weekend"] is True
    assert verdict["is_holiday"] is False
    assert verdict["day_category"] == "rest_day"
    assert verdict["compensation_hours"] == "10.00"
    assert verdict["meal_due"] is True
    assert verdict["overlaps"] == []


def test_the_check_lists_every_limit_exceeded_and_the_overlapping_requests(staff, staff_user):
    first = book(staff_user.employee, MONDAY, 17, 2)
    second = book(staff_user.employee, MONDAY, 19, 1, OvertimeStatus.SUBMITTED)
    book(staff_user.employee, MONDAY, 20, 1, OvertimeStatus.REJECTED)  # holds no time

    verdict = staff.post(CHECK, body(MONDAY, 18, 2.5), format="json").json()

    assert verdict["overlaps"] == [first.pk, second.pk]
    assert [v["period"] for v in verdict["violations"]] == ["day"]
    assert verdict["violations"][0]["booked_hours"] == "3.00"
    assert verdict["violations"][0]["total_hours"] == "5.50"


def test_the_check_writes_nothing(staff, staff_user):
    book(staff_user.employee, MONDAY, 17, 3)
    staff.get(f"{URL}?page_size=1")  # the caller's first request may record a login
    before = row_counts()
    audit_rows = UserActivityLog.objects.count()

    response = staff.post(CHECK, body(MONDAY, 18, 2, submit=True), format="json")

    assert response.status_code == 200
    assert response.json()["violations"]
    assert row_counts() == before
    assert UserActivityLog.objects.count() == audit_rows


def test_bad_input_is_refused_as_the_create_refuses_it(staff):
    naive = body(MONDAY, 18, 1) | {"start_at": "2026-11-16T18:00:00"}
    backwards = body(MONDAY, 18, 1) | {"end_at": local(MONDAY, 17).isoformat()}

    for bad, field in ((naive, "start_at"), (backwards, "end_at")):
        response = staff.post(CHECK, bad, format="json")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [field]


def test_filing_for_someone_outside_ones_reach_is_refused(staff, client_for):
    other = make_user(Role.STAFF, department=make_department())

    response = staff.post(CHECK, body(MONDAY, 18, 1, employee=other.employee.pk), format="json")

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("booked", "day_offset", "start", "hours", "exceeded"),
    [
        ([], 0, 18, 1.5, []),  # fits
        ([(0, 17, 3)], 0, 20, 2, ["day"]),
        ([(d, 17, 4) for d in range(4)], 4, 17, 3, ["week"]),  # 16 + 3 > 18
        ([(d, 17, 4) for d in range(4)], 4, 12, 5, ["day", "week"]),
        ([(d, 17, 4) for d in range(4)], 5, 9, 6, []),  # a rest day: outside both
    ],
)
def test_the_check_finds_the_violations_the_submit_refuses(
    staff, staff_user, booked, day_offset, start, hours, exceeded
):
    for offset, begin, length in booked:
        book(staff_user.employee, MONDAY + timedelta(days=offset), begin, length)
    payload = body(MONDAY + timedelta(days=day_offset), start, hours)

    checked = staff.post(CHECK, payload, format="json").json()
    draft = staff.post(URL, payload, format="json").json()
    submitted = staff.post(f"{URL}{draft['id']}/submit/", format="json")

    assert [violation["period"] for violation in checked["violations"]] == exceeded
    if exceeded:
        assert submitted.status_code == 400
        error = submitted.json()["error"]
        assert error["code"] == "regulation_limit_exceeded"
        assert error["violations"] == checked["violations"]
    else:
        assert submitted.status_code == 200, submitted.content
        assert submitted.json()["requires_second_approval"] == checked["requires_second_approval"]
        assert submitted.json()["compensation_hours"] == checked["compensation_hours"]
