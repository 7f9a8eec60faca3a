"""Report benchmark: the monthly report of BENCH_REPORT_ROWS overtime requests (every
status) in PostgreSQL. Wall time and peak memory of the build, next to writing the same
rows with csv.writer in the same run; both writers the builder offers are measured
(openpyxl only up to 100,000 rows unless BENCH_REPORT_WRITERS names it: at a million
it takes the better part of an hour), which is how the default (XlsxWriter
constant-memory) was chosen.

Each build runs in a fresh child process, so its peak RSS is its own (not the
parent's leftovers): the figure includes the ~interpreter + Django baseline, which is
printed too. Rows come from the same selector (keyset batches) in every mode, so the
ratio compares the writing, not the reading.

Targets: workbook time <= 10x CSV time, peak memory <= 300 MB, at up to a million
rows. Environment: BENCH_REPORT_ROWS (100000; 1000000 is the scale target),
BENCH_REPORT_WRITERS (comma-separated, default "xlsxwriter,openpyxl" up to 100,000
rows, "xlsxwriter" above), BENCH_REPORT_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/ptb_bench_reports). The seeded rows are kept
between runs of the same size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime

from benchmarks import harness

ROWS = int(os.environ.get("BENCH_REPORT_ROWS", "100000"))
DATABASE_URL = os.environ.get(
    "BENCH_REPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptb_bench_reports"
)
MONTH = date(2031, 1, 1)
WRITERS = tuple(
    os.environ.get(
        "BENCH_REPORT_WRITERS", "xlsxwriter,openpyxl" if ROWS <= 100_000 else "xlsxwriter"
    ).split(",")
)
MODES = ("csv", *WRITERS)
TARGET_RATIO, TARGET_PEAK_MB = 10, 300


def _child(mode: str) -> dict:
    env = harness.bench_environment(DATABASE_URL=DATABASE_URL)
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_report", mode],
        cwd=harness.REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------- in the child


def _setup() -> None:
    import django

    sys.path.insert(0, str(harness.REPO_ROOT))
    django.setup()


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _seed() -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from api.accounts.models import User
    from api.calendar.holiday_import import holidays_import
    from api.org.models import Department, Employee, Project
    from api.overtime.models import OvertimeRequest
    from api.overtime.regulation_defaults import regulation_preset_upgrade
    from api.overtime.services.regulations import regulation_ensure_default

    call_command("migrate", "--noinput", verbosity=0)
    # The shipped PP 35/2021 regulation, as a deploy leaves it: every row gets its day
    # category and compensation hours, so the build measures their cost too.
    regulation, created = regulation_ensure_default()
    regulation_preset_upgrade(regulation, created=created)
    # The month's public holidays, imported the way production gets them, so holiday
    # rows weigh by their own table.
    holidays_import(
        country=settings.HOLIDAYS_COUNTRY,
        subdivision=settings.HOLIDAYS_SUBDIVISION,
        years=[MONTH.year],
    )
    # Kept from an earlier run of the same size, unless seeded before the rows carried
    # their day terms.
    if (
        OvertimeRequest.objects.count() == ROWS
        and not OvertimeRequest.objects.filter(compensation_hours=None).exists()
    ):
        return {"seeded": 0}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE api_overtimebreak, api_overtimerequest RESTART IDENTITY CASCADE")
    departments = [
        Department.objects.get_or_create(code=f"D{n}", defaults={"name": f"Department {n}"})[0]
        for n in range(12)
    ]
    projects = [
        Project.objects.get_or_create(code=f"P{n}", defaults={"name": f"Project {n}"})[0]
        for n in range(40)
    ]
    employees = list(Employee.objects.all()[:600])
    for n in range(len(employees), 600):
        employees.append(
            Employee.objects.create(
                employee_code=f"B{n:05d}",
                first_name=f"Emp{n}",
                last_name="Bench",
                department=departments[n % len(departments)],
            )
        )
    author, _ = User.objects.get_or_create(username="bench-report")
    first = datetime(MONTH.year, MONTH.month, 1, 16, tzinfo=UTC)
    # One INSERT ... SELECT: a million ORM objects would take longer than the report.
    # Every status; approved the most common, as in a real month.
    statuses = [
        "approved",
        "approved",
        "approved",
        "submitted",
        "pending_second_approval",
        "rejected",
        "draft",
        "cancelled",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO api_overtimerequest (
                created_at, updated_at, employee_id, project_id, created_by_id,
                start_at, end_at, reason, status, total_hours, break_hours, net_hours,
                is_weekend, is_holiday, regulation_check, requires_second_approval,
                first_approval_note, second_approval_note, rejection_reason,
                day_category, compensation_hours, meal_due)
            SELECT now(), now(),
                (%(employees)s::bigint[])[n %% %(n_employees)s + 1],
                (%(projects)s::bigint[])[n %% %(n_projects)s + 1],
                %(author)s, s, s + (1 + n %% 4) * interval '1 hour',
                CASE WHEN n %% 997 = 0 THEN '=SUM(A1:A9) typed by a user'
                     ELSE 'Release ' || (n %% 50) END,
                (%(statuses)s::text[])[n %% %(n_statuses)s + 1],
                1 + n %% 4, b, 1 + n %% 4 - b,
                -- The day's terms (weekend, holiday, category, compensation, meal,
                -- second approval) are placeholders here: _apply_day_terms sets them.
                false, false, '{}', false, '', '', '', 'workday', NULL, false
            FROM (
                SELECT n,
                    %(first)s::timestamptz + (n %% 31) * interval '1 day'
                        + ((n * 13) %% 240) * interval '1 minute' AS s,
                    CASE WHEN n %% 3 = 0 THEN 0.5 ELSE 0 END AS b
                FROM generate_series(0, %(rows)s - 1) AS n
            ) AS generated
            """,
            {
                "employees": [e.pk for e in employees],
                "n_employees": len(employees),
                "projects": [p.pk for p in projects],
                "n_projects": len(projects),
                "author": author.pk,
                "statuses": statuses,
                "n_statuses": len(statuses),
                "first": first,
                "rows": ROWS,
            },
        )
        cursor.execute(
            """
            INSERT INTO api_overtimebreak
                (created_at, updated_at, request_id, start_at, end_at, note)
            SELECT now(), now(), id, start_at + interval '30 minutes',
                   start_at + interval '60 minutes', ''
            FROM api_overtimerequest WHERE break_hours > 0
            """
        )
    _apply_day_terms()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seeded": ROWS, "seconds": time.perf_counter() - started}


def _apply_day_terms() -> None:
    """What creating a request stores about its day (weekend, holiday, category,
    compensation, meal, second approval), computed by the regulation's own code once
    per distinct department, local date and net hours, then written in one UPDATE:
    the seed's rows carry the values the application would have given them."""
    from django.conf import settings
    from django.db import connection

    from api.common.timezones import local_date
    from api.org.models import Employee
    from api.overtime import selectors

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (e.department_id, (r.start_at AT TIME ZONE %s)::date, r.net_hours)
                   e.department_id, r.start_at, r.net_hours
            FROM api_overtimerequest r JOIN api_employee e ON e.id = r.employee_id
            """,
            [settings.TIME_ZONE],
        )
        combinations = cursor.fetchall()
    rows = []
    for department_id, start_at, net_hours in combinations:
        day = local_date(start_at)
        terms = selectors.day_terms(
            employee=Employee(department_id=department_id), start_at=start_at, net_hours=net_hours
        )
        rows.append(
            (
                department_id,
                day,
                net_hours,
                terms.day_category.value,
                terms.compensation_hours,
                terms.meal_due,
                terms.requires_second_approval,
                day.weekday() >= 5,
                selectors.is_holiday(day),
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMPORARY TABLE bench_day_terms (
                department bigint, day date, net numeric, category text,
                compensation numeric, meal boolean, second boolean,
                weekend boolean, holiday boolean)
            """
        )
        cursor.executemany(
            "INSERT INTO bench_day_terms VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
        )
        cursor.execute(
            """
            UPDATE api_overtimerequest r
            SET day_category = v.category, compensation_hours = v.compensation,
                meal_due = v.meal, requires_second_approval = v.second,
                is_weekend = v.weekend, is_holiday = v.holiday
            FROM api_employee e, bench_day_terms v
            WHERE e.id = r.employee_id AND e.department_id IS NOT DISTINCT FROM v.department
              AND (r.start_at AT TIME ZONE %s)::date = v.day AND r.net_hours = v.net
            """,
            [settings.TIME_ZONE],
        )
        cursor.execute("DROP TABLE bench_day_terms")


def _build(mode: str) -> dict:
    import csv
    import tempfile
    from pathlib import Path

    from django.conf import settings

    from api.reports.builders import ReportSpec, build_report
    from api.reports.selectors import regulation_limits, report_rows
    from api.reports.services import report_period

    baseline = _peak_mb()
    start, end = report_period("monthly", MONTH)
    rows = report_rows(period_start=start, period_end=end, filters={})
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    started = time.perf_counter()
    if mode == "csv":
        path = folder / "report.csv"
        count = 0
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow(
                    (
                        row.id,
                        row.employee_code,
                        row.employee_name,
                        row.department,
                        row.project,
                        row.start_at.isoformat(),
                        row.end_at.isoformat(),
                        row.total_hours,
                        row.break_hours,
                        row.net_hours,
                        row.status,
                        row.is_weekend,
                        row.is_holiday,
                        row.day_category,
                        row.compensation_hours,
                        row.meal_due,
                        "; ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in row.breaks),
                        row.reason,
                    )
                )
                count += 1
    else:
        spec = ReportSpec(
            title="Benchmark",
            kind="monthly",
            period_start=start,
            period_end=end,
            timezone=settings.TIME_ZONE,
            limits=regulation_limits(on=start),
        )
        path = folder / "report.xlsx"
        count = build_report(spec, rows, path, writer=mode).row_count
    seconds = time.perf_counter() - started
    size = path.stat().st_size
    path.unlink()
    return {
        "mode": mode,
        "rows": count,
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "bytes": size,
    }


def _child_main(mode: str) -> None:
    _setup()
    result = _seed() if mode == "seed" else _build(mode)
    print(json.dumps(result))


# ----------------------------------------------------------------------- the parent


def main() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    seeded = _child("seed")
    if seeded["seeded"]:
        print(f"seeded {seeded['seeded']} requests in {seeded['seconds']:.0f}s (kept)")
    results = {mode: _child(mode) for mode in MODES}
    csv_seconds = results["csv"]["seconds"]
    rows = []
    for mode in MODES:
        r = results[mode]
        rows.append(
            [
                mode,
                str(r["rows"]),
                f"{r['seconds']:.1f}",
                f"{r['seconds'] / csv_seconds:.1f}x",
                f"{r['peak_mb']:.0f}",
                f"{r['baseline_mb']:.0f}",
                f"{r['bytes'] / 1e6:.1f}",
            ]
        )
    print(f"monthly report, {ROWS} requests (PostgreSQL); each build in a fresh process")
    print(
        harness.table(
            rows, ["writer", "rows", "seconds", "vs csv", "peak MB", "baseline MB", "file MB"]
        )
    )
    chosen = results["xlsxwriter"]
    ratio = chosen["seconds"] / csv_seconds
    print(
        f"default writer (xlsxwriter): {ratio:.1f}x CSV time, peak RSS "
        f"{chosen['peak_mb']:.0f} MB (baseline {chosen['baseline_mb']:.0f} MB)"
    )
    harness.target("report-vs-csv", ratio, "<=", TARGET_RATIO, digits=1)
    harness.target("report-peak-mb", chosen["peak_mb"], "<=", TARGET_PEAK_MB, digits=0)


if __name__ == "__main__":
    _child_main(sys.argv[1])
