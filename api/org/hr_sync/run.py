"""Departments and employees from the company HR service (docs/hr-sync.md).

HR owns the records it lists (those with an `external_id`): a run makes our rows look
like the feed, deactivates what HR no longer lists (never deletes: overtime, leave
and audits keep referring to former staff) and locks the login of people who left.
Rows created here by hand (no `external_id`, not in the feed) are left alone.

A run reads the whole feed first, then writes everything in one transaction with a
fixed number of bulk queries, so a failure leaves nothing half-synced and the cost
does not grow in queries with the head count. A second run over the same feed
changes nothing and writes no audit rows.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from api.accounts.models import User
from api.audit.models import UserActivityLog
from api.common.generations import rows_changed
from api.integrations.external_api import ExternalAPIClient, get_client
from api.org.hr_sync.feed import DepartmentRow, department_rows, employee_rows, text
from api.org.hr_sync.ledger import (
    Ledger,
    SyncCounts,
    assign,
    audit_row,
    deactivate_missing,
    match,
)
from api.org.models import Department, Employee

logger = logging.getLogger("api.org.hr_sync")

# Any constant works: it only has to differ from other advisory locks of this database.
_ADVISORY_LOCK_KEY = 0x48525359  # "HRSY"

DEPARTMENT_FIELDS = ("code", "name", "external_id", "is_active", "parent", "manager")
EMPLOYEE_FIELDS = (
    "employee_code",
    "first_name",
    "last_name",
    "email",
    "department",
    "position",
    "is_active",
    "external_id",
)


class SuspiciousFeed(Exception):
    """The feed would deactivate everyone HR owns: more likely a broken service than news."""


@dataclass
class SyncResult:
    departments: SyncCounts = field(default_factory=SyncCounts)
    employees: SyncCounts = field(default_factory=SyncCounts)
    accounts_locked: int = 0
    accounts_unlocked: int = 0
    warnings: list[str] = field(default_factory=list)


def _refuse_empty(rows: list, local: list, kind: str) -> None:
    if not rows and any(obj.external_id and obj.is_active for obj in local):
        raise SuspiciousFeed(
            f"The HR service listed no {kind}; refusing to deactivate all of them. "
            "Check the service, then run the sync again."
        )


def _lock_run() -> None:
    """Concurrent runs (command and periodic task) take turns instead of colliding."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


# ----------------------------------------------------------------------- the run


class _Run:
    def __init__(self, department_feed: list[dict], employee_feed: list[dict]) -> None:
        self.result = SyncResult()
        self.now = timezone.now()
        self.department_rows = department_rows(department_feed, self.result.warnings)
        self.employee_rows = employee_rows(employee_feed, self.result.warnings)
        self.listed_departments = {text(raw, "external_id") for raw in department_feed}
        self.listed_employees = {text(raw, "external_id") for raw in employee_feed}

    def execute(self) -> SyncResult:
        _lock_run()
        departments = Ledger(
            Department, list(Department.objects.select_for_update()), DEPARTMENT_FIELDS
        )
        employees = Ledger(Employee, list(Employee.objects.select_for_update()), EMPLOYEE_FIELDS)
        _refuse_empty(self.department_rows, departments.rows, "departments")
        _refuse_empty(self.employee_rows, employees.rows, "employees")

        department_pairs = self._departments(departments)
        by_code = {obj.code: obj for obj in departments.all()}
        self._employees(employees, by_code)
        self._link_departments(department_pairs, by_code, employees)
        departments.flush(self.now)

        self.result.departments, department_logs = departments.outcome(lambda d: d.pk)
        self.result.employees, employee_logs = employees.outcome(lambda e: e.department_id)
        account_logs = self._accounts(employees)
        UserActivityLog.objects.bulk_create([*department_logs, *employee_logs, *account_logs])
        for warning in self.result.warnings:
            logger.warning("HR sync: %s", warning)
        return self.result

    def _departments(self, ledger: Ledger) -> list[tuple[DepartmentRow, Department]]:
        """Rows first, links later: a parent or manager may not exist yet."""
        pairs, new = [], []
        for row, obj in match(self.department_rows, ledger.rows, "code"):
            values = {"code": row.code, "name": row.name, "external_id": row.external_id}
            if obj is None:
                obj = Department(**values, synced_at=self.now)
                new.append(obj)
            assign(obj, values | {"is_active": True})
            pairs.append((row, obj))
        seen = {obj.pk for _, obj in pairs if obj.pk is not None}
        deactivate_missing(ledger.rows, seen, self.listed_departments)
        ledger.flush(self.now)  # renames free their old codes before new rows take them
        ledger.create(new)
        self._mark_seen(Department, [obj.pk for _, obj in pairs])
        return pairs

    def _employees(self, ledger: Ledger, departments: dict[str, Department]) -> None:
        new, seen = [], []
        for row, obj in match(self.employee_rows, ledger.rows, "employee_code"):
            department = departments.get(row.department_code)
            values = asdict(row)
            del values["department_code"]
            if department is None:
                self.result.warnings.append(
                    f"employee {row.employee_code}: unknown department {row.department_code!r}"
                    + ("; not created" if obj is None else "; department left unchanged")
                )
                if obj is None:
                    continue
            else:
                values["department_id"] = department.pk
            if obj is None:
                obj = Employee(**values, synced_at=self.now)
                new.append(obj)
            else:
                assign(obj, values)
                seen.append(obj.pk)
        deactivate_missing(ledger.rows, set(seen), self.listed_employees)
        ledger.flush(self.now)
        ledger.create(new)
        self._mark_seen(Employee, seen + [obj.pk for obj in new])

    def _link_departments(
        self,
        pairs: list[tuple[DepartmentRow, Department]],
        by_code: dict[str, Department],
        employees: Ledger,
    ) -> None:
        """Parents and managers once every row exists; a link that would loop is refused."""
        employee_ids = {obj.employee_code: obj.pk for obj in employees.all()}
        parents = {obj.pk: obj.parent_id for obj in by_code.values()}
        for row, obj in pairs:
            if row.manager_code is None:
                obj.manager_id = None
            elif row.manager_code in employee_ids:
                obj.manager_id = employee_ids[row.manager_code]
            else:
                self.result.warnings.append(
                    f"department {row.code}: unknown manager {row.manager_code!r}, left unchanged"
                )
            parent = by_code.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                self.result.warnings.append(
                    f"department {row.code}: unknown parent {row.parent_code!r}, left unchanged"
                )
                continue
            parent_id = parent.pk if parent else None
            if parent_id is not None and _reaches(parents, parent_id, obj.pk):
                self.result.warnings.append(
                    f"department {row.code}: parent {row.parent_code} would make a loop, "
                    "left unchanged"
                )
                continue
            parents[obj.pk] = obj.parent_id = parent_id

    def _accounts(self, employees: Ledger) -> list[UserActivityLog]:
        """Logins follow employment: HR's leavers are locked out, returners let back in."""
        leavers = {
            obj.user_id: obj
            for obj in employees.rows + employees.created
            if obj.user_id and obj.external_id and not obj.is_active
        }
        returners = {
            obj.user_id: obj
            for obj in employees.rows
            if obj.user_id and obj.is_active and not employees.original[obj.pk]["is_active"]
        }
        accounts = list(
            User.objects.select_for_update().filter(
                Q(pk__in=list(leavers), is_active=True) | Q(pk__in=list(returners), is_active=False)
            )
        )
        logs = []
        for account in accounts:
            account.is_active = account.pk in returners
            action = "sync_update" if account.is_active else "sync_deactivate"
            employee = returners.get(account.pk) or leavers[account.pk]
            changes = {"is_active": {"old": not account.is_active, "new": account.is_active}}
            logs.append(audit_row(action, account, changes, employee.department_id))
        User.objects.bulk_update(accounts, fields=["is_active"])
        rows_changed(User)
        self.result.accounts_unlocked = sum(account.is_active for account in accounts)
        self.result.accounts_locked = len(accounts) - self.result.accounts_unlocked
        return logs

    def _mark_seen(self, model: type[models.Model], ids: list[int]) -> None:
        """`synced_at` says when HR last listed the row; not a change, so not audited."""
        model.objects.filter(pk__in=ids).update(synced_at=self.now)
        rows_changed(model)


def _reaches(parents: dict[int, int | None], start: int, target: int) -> bool:
    """Whether walking up from `start` arrives at `target` (or loops)."""
    seen: set[int] = set()
    current: int | None = start
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        current = parents.get(current)
    return current is not None


def hr_directory_sync(*, client: ExternalAPIClient | None = None) -> SyncResult:
    """Brings departments and employees in line with the HR service.

    Raises ExternalAPIUnavailable (before touching the database) when the service
    cannot be read, and SuspiciousFeed when it lists nobody at all.
    """
    client = client or get_client()
    department_feed = client.list_departments()
    employee_feed = list(client.iter_employees())
    with transaction.atomic():
        return _Run(department_feed, employee_feed).execute()
