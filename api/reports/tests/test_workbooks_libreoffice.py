"""Generated workbooks opened by another program: LibreOffice, headless.

Each workbook is converted to PDF (pages counted per sheet from the PDF's outline,
which Calc writes one entry per sheet) and to one CSV per sheet, whose figures are
checked against the database. A private LibreOffice profile per run keeps parallel
runs apart. Under CI=true a missing soffice fails the run (conftest.require_service).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db.models import Q, Sum

from api.calendar.models import Holiday
from api.overtime.models import OvertimeRequest
from api.overtime.regulation_defaults import PP35_TIERS, compensation_tiers_replace
from api.overtime.rules import Tier, compensation_hours, tiers_for
from api.reports.tests.month import (
    OCTOBER,
    build,
    expected_employee_figures,
    generate_month,
    sql_totals,
)
from api.reports.workbook.columns import SHEETS
from api.reports.workbook.writers import HEADER_ROW
from conftest import require_service
from tests.factories import make_regulation

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SHEET_NAMES = [sheet.name for sheet in SHEETS]
# Comma-separated, '"'-quoted, UTF-8, raw values (not as shown), every sheet to a file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
A_DAY = date(2026, 10, 6)
ZONE = ZoneInfo(settings.TIME_ZONE)


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    found = shutil.which("soffice")
    require_service(
        "LibreOffice (soffice)",
        None if found else "soffice is not on PATH (Debian: libreoffice-calc-nogui)",
    )
    profile = tmp_path_factory.mktemp("libreoffice-profile")

    def convert(workbook: Path, target: str, out: Path) -> subprocess.CompletedProcess:
        out.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                found,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(out),
                str(workbook),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Error" not in done.stderr, done.stderr
        return done

    return convert


# ----------------------------------------------------------------------- the PDF


def _objects(pdf: bytes) -> dict[int, bytes]:
    # Stream bodies are binary and could hold anything: drop them before parsing.
    text = re.sub(rb"stream\r?\n.*?endstream", b"", pdf, flags=re.S)
    return {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", text, re.S)}


def _title(raw: bytes) -> str:
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
    return raw[1:-1].decode("latin-1")


def pages_per_sheet(pdf: bytes) -> dict[str, int]:
    """{sheet name: printed pages}, from the page tree and the per-sheet outline."""
    objects = _objects(pdf)
    (catalog,) = [body for body in objects.values() if re.search(rb"/Type\s*/Catalog", body)]
    root = int(re.search(rb"/Pages\s+(\d+) 0 R", catalog).group(1))

    def leaves(number: int) -> list[int]:
        body = objects[number]
        if re.search(rb"/Type\s*/Pages\b", body):
            kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S).group(1)
            return [leaf for kid in re.findall(rb"(\d+) 0 R", kids) for leaf in leaves(int(kid))]
        return [number]

    order = {page: index for index, page in enumerate(leaves(root))}
    assert len(order) == len(re.findall(rb"/Type\s*/Page\b(?!s)", b"".join(objects.values())))
    starts = {}
    for body in objects.values():
        title = re.search(rb"/Title\s*(<[0-9A-Fa-f]*>|\((?:[^)\\]|\\.)*\))", body)
        dest = re.search(rb"/Dest\s*\[\s*(\d+) 0 R", body)
        if title and dest:
            starts[_title(title.group(1))] = order[int(dest.group(1))]
    ranked = sorted(starts.items(), key=lambda item: item[1])
    ends = [start for _, start in ranked[1:]] + [len(order)]
    return {name: end - start for (name, start), end in zip(ranked, ends, strict=True)}


def test_a_daily_report_of_110_requests_prints_in_a_few_pages(tmp_path, soffice):
    generate_month(requests=110, one_day=A_DAY)
    result = build(tmp_path / "daily.xlsx", kind="daily", period=(A_DAY, A_DAY))
    assert result.row_count == 110
    soffice(result.path, "pdf", tmp_path / "pdf")
    pages = pages_per_sheet((tmp_path / "pdf" / "daily.pdf").read_bytes())
    assert list(pages) == SHEET_NAMES
    # One page wide at a readable scale: at most 4 pages, and not squeezed onto one.
    assert 2 <= pages["Details"] <= 4, pages
    assert {name: n for name, n in pages.items() if name != "Details"} == dict.fromkeys(
        ["Summary", "Departments", "Employees", "Violations", "Filters"], 1
    )


def test_the_summary_of_a_month_is_one_page(tmp_path, soffice):
    generate_month()
    result = build(tmp_path / "monthly.xlsx")
    soffice(result.path, "pdf", tmp_path / "pdf")
    pages = pages_per_sheet((tmp_path / "pdf" / "monthly.pdf").read_bytes())
    assert pages["Summary"] == 1, pages
    assert pages["Departments"] == 1, pages
    assert pages["Employees"] == 1, pages
    assert pages["Details"] <= 6, pages  # 180 requests


# ----------------------------------------------------------------------- the CSVs


def read_sheet(folder: Path, stem: str, sheet: str) -> list[dict[str, str]]:
    """The sheet's table as LibreOffice exported it: dicts keyed by the header row."""
    with (folder / f"{stem}-{sheet}.csv").open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    header = lines[HEADER_ROW]
    return [dict(zip(header, line, strict=True)) for line in lines[HEADER_ROW + 1 :]]


def number(text: str) -> Decimal:
    return Decimal(text or "0").quantize(Decimal("0.01"))


def test_every_sheet_converts_to_csv_with_the_database_totals(tmp_path, soffice):
    generate_month()
    result = build(tmp_path / "monthly.xlsx")
    done = soffice(result.path, CSV_FILTER, tmp_path / "csv")
    folder = tmp_path / "csv"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"monthly-{name}.csv" for name in SHEET_NAMES
    ), done.stdout

    employees = {row["Employee code"]: row for row in read_sheet(folder, "monthly", "Employees")}
    totals = sql_totals(OCTOBER)
    assert set(employees) == set(totals)
    for code, by_status in totals.items():
        expected = expected_employee_figures(by_status)
        shown = {name: number(employees[code][name]) for name in expected}
        assert shown == {name: number(str(value)) for name, value in expected.items()}, code

    summary = {row["Department"]: row for row in read_sheet(folder, "monthly", "Summary")}
    approved = OvertimeRequest.objects.filter(status="approved")
    everything = summary["All departments"]
    assert int(everything["Requests"]) == approved.count()
    assert number(everything["Net hours"]) == sum(r.net_hours for r in approved)

    details = read_sheet(folder, "monthly", "Details")
    assert {int(row["ID"]): row["Status"] for row in details} == dict(
        OvertimeRequest.objects.values_list("id", "status")
    )
    # Typed text that looks like a formula arrives as the text, not a computed value.
    assert any(row["Reason"].startswith("=SUM(") for row in details)
    described = {row["Setting"]: row["Value"] for row in read_sheet(folder, "monthly", "Filters")}
    assert described["Requests"] == str(len(details))


# ------------------------------------------------------------ the payroll columns

HOLIDAY = date(2026, 10, 14)  # a Wednesday
PP35 = [
    (category, week, Tier(Decimal(a), b and Decimal(b), Decimal(m)))
    for category, week, a, b, m in PP35_TIERS
]


def _net(requests, condition) -> Decimal:
    return requests.filter(condition).aggregate(h=Sum("net_hours"))["h"] or Decimal(0)


def expected_payroll() -> dict[str, dict[str, Decimal]]:
    """Per employee, from SQL sums by day kind (weekday and date in the company's time
    zone) and the compensation of each approved request by PP 35/2021's own table."""
    approved = OvertimeRequest.objects.filter(status="approved", start_at__date__month=10)
    holiday = Q(start_at__date=HOLIDAY)
    rest = Q(start_at__week_day__in=(1, 7)) & ~holiday  # Sunday, Saturday
    found: dict[str, dict[str, Decimal]] = {}
    for code in approved.values_list("employee__employee_code", flat=True).distinct():
        mine = approved.filter(employee__employee_code=code)
        compensation = Decimal(0)
        for request in mine:
            category = (
                "public_holiday"
                if request.start_at.astimezone(ZONE).date() == HOLIDAY
                else "rest_day"
                if request.start_at.astimezone(ZONE).weekday() >= 5
                else "workday"
            )
            compensation += compensation_hours(request.net_hours, tiers_for(PP35, category, 5))
        found[code] = {
            "Workday hours": _net(mine, ~rest & ~holiday),
            "Rest day hours": _net(mine, rest),
            "Public holiday hours": _net(mine, holiday),
            "Holiday on shortest workday hours": Decimal(0),
            "Compensation hours": compensation,
            "Meals": Decimal(mine.filter(net_hours__gte=4).count()),
        }
    return found


def test_the_payroll_columns_convert_to_csv_with_the_database_figures(tmp_path, soffice):
    compensation_tiers_replace(make_regulation())  # global, 5-day week, PP 35/2021
    Holiday.objects.create(date=HOLIDAY, name="A holiday")
    generate_month()
    result = build(tmp_path / "monthly.xlsx")
    soffice(result.path, CSV_FILTER, tmp_path / "csv")
    folder = tmp_path / "csv"

    employees = {row["Employee code"]: row for row in read_sheet(folder, "monthly", "Employees")}
    expected = expected_payroll()
    assert any(figures["Rest day hours"] for figures in expected.values())
    assert any(figures["Public holiday hours"] for figures in expected.values())
    for code, figures in expected.items():
        shown = {name: number(employees[code][name]) for name in figures}
        assert shown == {name: number(str(value)) for name, value in figures.items()}, code

    departments = {row["Department"]: row for row in read_sheet(folder, "monthly", "Departments")}
    everything = departments["All departments"]
    for name in ("Workday hours", "Rest day hours", "Public holiday hours", "Compensation hours"):
        assert number(everything[name]) == sum(f[name] for f in expected.values()), name
    assert number(everything["Meals"]) == sum(f["Meals"] for f in expected.values())
    approved = OvertimeRequest.objects.filter(status="approved").aggregate(h=Sum("net_hours"))
    assert number(everything["Net hours"]) == approved["h"]
    # Departments of one name are one row, as on the Summary sheet.
    assert set(departments) == {"Support", "Engineering", "All departments"}

    details = read_sheet(folder, "monthly", "Details")
    by_id = {int(row["ID"]): row for row in details}
    for request in OvertimeRequest.objects.filter(start_at__date=HOLIDAY):
        assert by_id[request.pk]["Day category"] == "Public holiday"
        assert by_id[request.pk]["Meal"] == ("yes" if request.net_hours >= 4 else "no")
