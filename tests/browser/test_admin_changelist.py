"""The admin's list of overtime requests in a real browser window 1400 px wide: the
status and hours columns are on screen, and the table needs no horizontal scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from api.models import User
from tests.browser.conftest import live_password
from tests.factories import PASSWORD, make_department, make_employee, make_overtime, make_project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]

WIDTH = 1400


@pytest.fixture
def requests(transactional_db):
    """Rows with long names, as real ones have: they are what widens a column."""
    department = make_department(code="FIN", name="Finance and Accounting")
    project = make_project(code="PRJ-2026-CLOSING", name="Year-end closing and audit support")
    start = timezone.now().replace(microsecond=0) - timedelta(days=2)
    for n in range(3):
        employee = make_employee(
            first_name="Maximiliana Alexandrina",
            last_name=f"Wijayakusuma-Hadiprawiro {n}",
            department=department,
        )
        make_overtime(
            employee=employee,
            project=project,
            start_at=start + timedelta(days=n),
            end_at=start + timedelta(days=n, hours=3, minutes=30),
        )


def test_status_and_hours_fit_a_1400_px_window(daphne_factory, recorded_page, requests):
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    live_password(root)
    server = daphne_factory()
    page = recorded_page.page
    assert page.viewport_size["width"] == WIDTH

    page.goto(f"{server.url}/admin/login/?next=/admin/api/overtimerequest/")
    page.locator("#id_username").fill(root.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)

    for column in ("status", "net_hours"):
        header = page.locator(f"#result_list thead th.column-{column}")
        cell = page.locator(f"#result_list tbody td.field-{column}").first
        for element in (header, cell):
            expect(element).to_be_visible()
            box = element.bounding_box()
            assert box is not None, column
            assert box["x"] >= 0, (column, box)
            assert box["x"] + box["width"] <= WIDTH, (column, box)
    widths = page.evaluate(
        """() => ({
            table: document.querySelector("#result_list").scrollWidth,
            page: document.documentElement.scrollWidth,
        })"""
    )
    assert widths["table"] <= WIDTH, widths
    assert widths["page"] <= WIDTH, widths
