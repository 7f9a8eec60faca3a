"""Report benchmark: the monthly report of 100,000 overtime requests in
PostgreSQL. Wall time and peak memory of the build, next to writing the same rows
with csv.writer in the same run; both writers the builder offers are measured, which
is how the default (XlsxWriter constant-memory) was chosen.

Each build runs in a fresh child process, so its peak RSS is its own (not the
parent's leftovers): the figure includes the ~interpreter + Django baseline, which is
printed too. Rows come from the same selector (keyset batches) in every mode, so the
ratio compares the writing, not the reading.

Targets: workbook time <= 15x CSV time, peak memory <= 200 MB.
Environment: BENCH_REPORT_ROWS (100000), BENCH_REPORT_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/ptb_bench_reports).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from benchmarks import harness

ROWS = int(os.environ.get("BENCH_REPORT_ROWS", "100000"))
DATABASE_URL = os.environ.get(
    "BENCH_REPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptb_bench_reports"
)
MONTH = date(2031, 1, 1)
MODES = ("csv", "xlsxwriter", "openpyxl")


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
    from django.core.management import call_command
    from django.db import connection

    from api.accounts.models import User
    from api.org.models import Department, Employee, Project
    from api.overtime.models import OvertimeBreak, OvertimeRequest

    call_command("migrate", "--noinput", verbosity=0)
    if OvertimeRequest.objects.count() == ROWS:
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
    statuses = ("approved", "approved", "approved", "submitted", "rejected")
    batch = []
    for n in range(ROWS):
        start = first + timedelta(days=n % 31, minutes=(n * 13) % 240)
        hours = Decimal(1 + n % 4)
        batch.append(
            OvertimeRequest(
                employee=employees[n % len(employees)],
                project=projects[n % len(projects)],
                created_by=author,
                start_at=start,
                end_at=start + timedelta(hours=int(hours)),
                reason="=SUM(A1:A9) typed by a user" if n % 997 == 0 else f"Release {n % 50}",
                status=statuses[n % len(statuses)],
                total_hours=hours,
                break_hours=Decimal("0.5") if n % 3 == 0 else Decimal(0),
                net_hours=hours - (Decimal("0.5") if n % 3 == 0 else Decimal(0)),
                is_weekend=start.weekday() >= 5,
            )
        )
        if len(batch) == 5000:
            OvertimeRequest.objects.bulk_create(batch)
            batch = []
    OvertimeRequest.objects.bulk_create(batch)
    breaks = [
        OvertimeBreak(
            request_id=pk, start_at=s + timedelta(minutes=30), end_at=s + timedelta(minutes=60)
        )
        for pk, s in OvertimeRequest.objects.filter(break_hours__gt=0).values_list("id", "start_at")
    ]
    OvertimeBreak.objects.bulk_create(breaks, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seeded": ROWS, "seconds": time.perf_counter() - started}


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
    verdict = "meets" if ratio <= 15 and chosen["peak_mb"] <= 200 else "MISSES"
    print(
        f"default writer (xlsxwriter): {ratio:.1f}x CSV time (target <= 15), "
        f"peak {chosen['peak_mb']:.0f} MB (target <= 200): {verdict}"
    )


if __name__ == "__main__":
    _child_main(sys.argv[1])
