"""The regulation's terms of a request's day, kept on the row by the service (create,
update, submit) and shown by the API: day category, compensation, meal, and the
second-approval need a draft will have on submit. Local dates are the company's."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.accounts.roles import Role
from api.calendar.models import Holiday
from api.overtime.models import OvertimeRequest
from api.overtime.regulation_defaults import compensation_tiers_replace
from tests.factories import make_department, make_regulation, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/"
JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 16)
SATURDAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _jakarta(settings):
    settings.TIME_ZONE = "Asia/Jakarta"


@pytest.fixture
def regulation():
    regulation = make_regulation(second_approval_threshold_hours=Decimal("2"))
    compensation_tiers_replace(regulation)
    return regulation


@pytest.fixture
def staff(client_for, regulation):
    user = make_user(Role.STAFF, department=make_department())
    return client_for(user)


def local(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA).isoformat()


def create(client, start: str, end: str, **extra):
    body = {"start_at": start, "end_at": end, "reason": "Closing", **extra}
    return client.post(URL, body, format="json")


def test_a_workday_request_shows_its_category_compensation_and_meal(staff):
    response = create(staff, local(MONDAY, 18), local(MONDAY, 19, 30))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["day_category"] == "workday"
    assert body["compensation_hours"] == "2.50"  # 1 x 1.5 + 0.5 x 2
    assert body["meal_due"] is False
    assert body["requires_second_approval"] is False  # 1.5 h, threshold 2 h


def test_a_draft_shows_the_second_approval_its_submit_will_need(staff):
    draft = create(staff, local(MONDAY, 17), local(MONDAY, 20)).json()  # 3 h > 2 h

    assert draft["status"] == "draft"
    assert draft["requires_second_approval"] is True
    edited = staff.patch(f"{URL}{draft['id']}/", {"end_at": local(MONDAY, 18)}, format="json")
    assert edited.json()["requires_second_approval"] is False
    assert edited.json()["compensation_hours"] == "1.50"
    submitted = staff.post(f"{URL}{draft['id']}/submit/", format="json").json()
    assert submitted["requires_second_approval"] is False


def test_a_rest_day_weighs_double_and_owes_a_meal_from_the_threshold(staff):
    body = create(staff, local(SATURDAY, 9), local(SATURDAY, 13)).json()

    assert body["day_category"] == "rest_day"
    assert body["compensation_hours"] == "8.00"  # 4 h x 2 (5-day week)
    assert body["meal_due"] is True  # 4 h, threshold 4 h


def test_a_public_holiday_is_its_own_category(staff):
    Holiday.objects.create(name="Founders' day", date=MONDAY)

    body = create(staff, local(MONDAY, 9), local(MONDAY, 12)).json()

    assert body["day_category"] == "public_holiday"
    assert body["is_holiday"] is True
    assert body["compensation_hours"] == "6.00"


def test_monday_half_past_midnight_local_is_a_workday(staff):
    # 2026-11-15T17:30Z: still Sunday in UTC, Monday in Jakarta.
    body = create(staff, "2026-11-16T00:30:00+07:00", "2026-11-16T01:30:00+07:00").json()

    assert body["day_category"] == "workday"


def test_saturday_one_in_the_morning_local_is_a_rest_day(staff):
    # 2026-11-20T18:00Z: Friday in UTC, Saturday in Jakarta.
    body = create(staff, "2026-11-21T01:00:00+07:00", "2026-11-21T02:00:00+07:00").json()

    assert body["day_category"] == "rest_day"


def test_a_request_over_midnight_counts_on_the_day_it_starts(staff):
    friday = MONDAY + timedelta(days=4)
    body = create(staff, local(friday, 22), local(friday + timedelta(days=1), 2)).json()

    assert body["day_category"] == "workday"  # Friday 22:00, though it ends on Saturday
    assert body["compensation_hours"] == "7.50"  # 1 x 1.5 + 3 x 2


def test_the_same_moment_written_in_utc_gets_the_same_category(staff):
    body = create(staff, "2026-11-20T18:00:00Z", "2026-11-20T19:00:00Z").json()

    assert body["day_category"] == "rest_day"  # Saturday 01:00 in Jakarta
    assert body["start_at"] == "2026-11-21T01:00:00+07:00"  # answered with its offset


def test_without_a_regulation_nothing_is_weighed(client_for):
    staff = client_for(make_user(Role.STAFF, department=make_department()))

    body = create(staff, local(SATURDAY, 9), local(SATURDAY, 14)).json()

    assert body["day_category"] == "rest_day"
    assert body["compensation_hours"] is None
    assert body["meal_due"] is False


def test_a_datetime_without_an_offset_is_refused_naming_the_field(staff):
    response = create(staff, "2026-11-16T18:00:00", local(MONDAY, 19))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["start_at"]
    assert OvertimeRequest.objects.count() == 0


def test_a_break_without_an_offset_is_refused_naming_it(staff):
    breaks = [{"start_at": "2026-11-16T18:30:00", "end_at": local(MONDAY, 18, 45)}]

    response = create(staff, local(MONDAY, 18), local(MONDAY, 20), breaks=breaks)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["breaks.0.start_at"]


def test_the_list_shows_the_terms_in_a_constant_number_of_queries(client_for, regulation):
    boss = client_for(make_user(Role.SUPERADMIN))
    staff_user = make_user(Role.STAFF, department=make_department())
    staff = client_for(staff_user)

    def list_queries(url) -> tuple[list, int]:
        with CaptureQueriesContext(connection) as queries:
            response = boss.get(url)
        assert response.status_code == 200
        return response.json()["results"], len(queries)

    create(staff, local(SATURDAY, 9), local(SATURDAY, 13))
    list_queries(f"{URL}?page_size=10")  # the caller's identity and permissions, cached
    few, few_queries = list_queries(f"{URL}?page_size=50")
    for day in range(7):
        start = MONDAY - timedelta(days=7 * (day + 1))
        create(staff, local(start, 18), local(start, 19))
    many, many_queries = list_queries(f"{URL}?page_size=50&ordering=-start_at")

    assert len(few) == 1
    assert len(many) == 8
    assert many_queries == few_queries
    assert many[0]["day_category"] == "rest_day"
    assert many[0]["compensation_hours"] == "8.00"
    assert many[0]["meal_due"] is True
    assert many[-1]["day_category"] == "workday"
