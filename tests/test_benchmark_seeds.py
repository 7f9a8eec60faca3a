"""The benchmarks' seeds write rows the application would have written.

The report benchmark seeds its month in one INSERT ... SELECT (a million ORM objects
would take longer than the report), so nothing in the ORM fills what a new column
needs: a NOT NULL column added later broke the seed on any machine without the rows
kept from an earlier run. Seeding a small month here keeps the SQL in step with the
model and checks the terms the rows carry against the regulation's own code.
"""

import pytest

from api.common.timezones import local_date
from api.overtime import selectors
from api.overtime.models import OvertimeRequest
from api.overtime.rules import DayCategory
from benchmarks import bench_report

pytestmark = pytest.mark.django_db


def test_the_report_seed_writes_valid_rows_with_the_regulations_day_terms(monkeypatch):
    monkeypatch.setattr(bench_report, "ROWS", 93)

    assert bench_report._seed()["seeded"] == 93

    rows = list(OvertimeRequest.objects.select_related("employee").order_by("id"))
    assert len(rows) == 93
    categories = set()
    for row in rows:
        row.full_clean()
        terms = selectors.day_terms(
            employee=row.employee, start_at=row.start_at, net_hours=row.net_hours
        )
        stored = (row.day_category, row.compensation_hours, row.meal_due)
        assert stored == (terms.day_category, terms.compensation_hours, terms.meal_due), row.pk
        assert row.requires_second_approval == terms.requires_second_approval
        day = local_date(row.start_at)
        assert row.is_weekend == (day.weekday() >= 5)
        assert row.is_holiday == selectors.is_holiday(day)
        categories.add(row.day_category)
    # A month of every kind of day: the report pays for each table of tiers.
    assert {DayCategory.WORKDAY, DayCategory.REST_DAY, DayCategory.PUBLIC_HOLIDAY} <= categories
    assert all(row.compensation_hours is not None for row in rows)
