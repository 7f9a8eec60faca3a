"""GET /overtime-requests/allowance/: the allowance selector through the API, for
oneself by default, for the employees an admin sees, in a constant number of queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from api.accounts.roles import Role
from api.overtime.models import OvertimeStatus
from tests.factories import make_department, make_overtime, make_regulation, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/allowance/"
JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _jakarta(settings):
    settings.TIME_ZONE = "Asia/Jakarta"


@pytest.fixture
def office():
    make_regulation()
    ops = make_department(code="OPS")
    return {
        "staff": make_user(Role.STAFF, department=ops),
        "colleague": make_user(Role.STAFF, department=ops),
        "admin": make_user(Role.PTB_ADMIN, department=ops),
        "outsider": make_user(Role.STAFF, department=make_department(code="SAL")),
        "boss": make_user(Role.SUPERADMIN),
    }


def book(user, day: date, hours: float, status=OvertimeStatus.APPROVED, hour: int = 18):
    start = datetime(day.year, day.month, day.day, hour, tzinfo=JAKARTA)
    net = Decimal(str(hours))
    return make_overtime(
        employee=user.employee,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        status=status,
        total_hours=net,
        net_hours=net,
    )


def test_ones_own_allowance_by_default(office, client_for):
    book(office["staff"], MONDAY, 1.5)
    book(office["staff"], MONDAY, 1, OvertimeStatus.SUBMITTED, hour=20)

    response = client_for(office["staff"]).get(URL, {"date": "2026-11-16"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["employee"] == office["staff"].employee.pk
    assert body["day_category"] == "workday"
    assert body["rest_day_rule"]["counts_toward_limits"] is True
    assert body["periods"]["day"] == {
        "start": "2026-11-16",
        "end": "2026-11-16",
        "limit": "4.00",
        "approved": "1.50",
        "pending": "1.00",
        "remaining": "1.50",
    }
    assert body["periods"]["week"]["start"] == "2026-11-16"
    assert body["periods"]["year"]["remaining"] == "717.50"


def test_an_admin_reads_the_allowance_of_the_department_and_no_other(office, client_for):
    book(office["colleague"], MONDAY, 5, hour=8)
    admin = client_for(office["admin"])

    mine = admin.get(URL, {"date": "2026-11-16", "employee": office["colleague"].employee.pk})
    theirs = admin.get(URL, {"date": "2026-11-16", "employee": office["outsider"].employee.pk})

    assert mine.status_code == 200
    assert mine.json()["periods"]["day"]["remaining"] == "0.00"  # never below zero
    assert theirs.status_code == 404
    boss = client_for(office["boss"])
    outsider = {"date": "2026-11-16", "employee": office["outsider"].employee.pk}
    assert boss.get(URL, outsider).status_code == 200


def test_staff_cannot_read_a_colleagues_allowance(office, client_for):
    response = client_for(office["staff"]).get(
        URL, {"date": "2026-11-16", "employee": office["colleague"].employee.pk}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date": "16/11/2026"}, "date"),
        ({}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-11-16", "employee": "me"}, "employee"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(office, client_for, query, field):
    response = client_for(office["staff"]).get(URL, query)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_without_an_employee_record_name_one(office, client_for):
    nobody = make_user(Role.SUPERADMIN, with_employee=False)

    response = client_for(nobody).get(URL, {"date": "2026-11-16"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["employee"]


def test_a_constant_number_of_queries(office, client_for, django_assert_num_queries):
    staff = client_for(office["staff"])
    staff.get(URL, {"date": "2026-11-16"})  # the caller's identity and permissions, cached
    book(office["staff"], MONDAY, 1)
    with django_assert_num_queries(5):  # the employee + the allowance's four
        assert staff.get(URL, {"date": "2026-11-16"}).status_code == 200
    for offset in range(1, 10):
        book(office["staff"], MONDAY - timedelta(days=offset), 1)
    with django_assert_num_queries(5):
        assert staff.get(URL, {"date": "2026-11-16"}).status_code == 200
