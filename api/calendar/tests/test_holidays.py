"""Holidays through the API: everyone reads them, admins keep them, one per date."""

from datetime import date

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.calendar.models import Holiday
from api.calendar.tests.factories import make_holiday
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/holidays/"


@pytest.fixture
def admin(client_for):
    return client_for(make_user(Role.PTB_ADMIN))


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_every_role_reads_holidays(client_for):
    make_holiday(date=date(2026, 8, 17), name="Independence Day")

    assert names(client_for(make_user(Role.USER)).get(URL)) == ["Independence Day"]


def test_admin_creates_a_holiday_and_it_is_audited(admin):
    response = admin.post(
        URL, {"date": "2026-12-25", "name": "Christmas", "is_recurring": True}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["is_recurring"] is True
    log = UserActivityLog.objects.get(resource="holidays", action="create")
    assert log.changes["name"] == "Christmas"
    assert log.changes["date"] == "2026-12-25"


def test_a_second_holiday_on_the_same_date_is_400_naming_date(admin):
    make_holiday(date=date(2026, 12, 25), name="Christmas")

    response = admin.post(URL, {"date": "2026-12-25", "name": "Again"}, format="json")

    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]
    assert Holiday.objects.count() == 1


def test_renaming_records_the_change(admin):
    holiday = make_holiday(name="New Year")

    response = admin.patch(f"{URL}{holiday.pk}/", {"name": "New Year's Day"}, format="json")

    assert response.status_code == 200, response.content
    log = UserActivityLog.objects.get(resource="holidays", action="update")
    assert log.changes == {"name": {"old": "New Year", "new": "New Year's Day"}}


def test_staff_cannot_change_holidays(client_for):
    holiday = make_holiday()
    staff = client_for(make_user(Role.STAFF))

    assert staff.patch(f"{URL}{holiday.pk}/", {"name": "x"}, format="json").status_code == 403


def test_filters_by_year_range_recurrence_and_name(admin):
    make_holiday(date=date(2025, 12, 25), name="Christmas 2025", is_recurring=True)
    make_holiday(date=date(2026, 1, 1), name="New Year 2026", is_recurring=True)
    make_holiday(date=date(2026, 5, 14), name="Ascension Day")

    assert names(admin.get(f"{URL}?year=2026")) == ["New Year 2026", "Ascension Day"]
    assert names(admin.get(f"{URL}?date_from=2026-01-01&date_to=2026-03-01")) == ["New Year 2026"]
    assert names(admin.get(f"{URL}?is_recurring=false")) == ["Ascension Day"]
    assert names(admin.get(f"{URL}?search=christmas")) == ["Christmas 2025"]


def test_list_query_count_does_not_depend_on_page_size(admin, django_assert_max_num_queries):
    for _ in range(60):
        make_holiday()
    admin.get(URL)  # the session's first request records its activity (one UPDATE)

    counts = {}
    for size in (1, 50):
        # user + count + page
        with django_assert_max_num_queries(4) as captured:
            response = admin.get(f"{URL}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(captured.captured_queries)

    assert counts[1] == counts[50]


@pytest.mark.parametrize("year", ["0", "10000", "2026.5", "abc"])
def test_an_impossible_year_is_400_naming_year(admin, year):
    response = admin.get(f"{URL}?year={year}")

    assert response.status_code == 400
    assert "year" in response.json()["error"]["fields"]
