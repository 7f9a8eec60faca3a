from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from api.common.models import TimestampedModel


class CodeNaturalKeyManager(models.Manager):
    """Fixtures name departments and projects by their code, not by database ids."""

    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class EmployeeManager(models.Manager):
    def get_by_natural_key(self, employee_code: str):
        return self.get(employee_code=employee_code)


class Department(TimestampedModel):
    """A unit of the company, synced from the HR service; admins approve for it."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    manager = models.ForeignKey(
        "api.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_departments",
    )
    is_active = models.BooleanField(default=True)
    external_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    # The department's own work week; each empty field follows the regulation in force
    # (see OvertimeRegulation: 5 or 6 days, rest weekdays 0 = Monday ... 6 = Sunday).
    work_days_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    rest_weekdays = models.JSONField(null=True, blank=True)
    shortest_workday = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = CodeNaturalKeyManager()

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=Q(work_days_per_week__isnull=True) | Q(work_days_per_week__in=(5, 6)),
                name="department_work_week_length",
            ),
            models.CheckConstraint(
                condition=Q(shortest_workday__isnull=True) | Q(shortest_workday__lte=6),
                name="department_shortest_workday_weekday",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="department_code_not_blank"),
            models.CheckConstraint(condition=~Q(name=""), name="department_name_not_blank"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="department_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Employee(TimestampedModel):
    """A person on the payroll. Employees who leave are deactivated, never deleted."""

    employee_code = models.CharField(max_length=32, unique=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="employees")
    position = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
    )
    external_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    objects = EmployeeManager()

    class Meta:
        ordering = ("last_name", "first_name", "employee_code")
        indexes = [
            models.Index(fields=["department", "is_active"], name="employee_dept_active_idx"),
            models.Index(fields=["last_name", "first_name"], name="employee_name_idx"),
            models.Index(Lower("email"), name="employee_email_lower_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(employee_code=""), name="employee_code_not_blank"),
            models.CheckConstraint(condition=~Q(first_name=""), name="employee_name_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_code})"

    def natural_key(self) -> tuple[str]:
        return (self.employee_code,)

    natural_key.dependencies = ["api.department"]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Project(TimestampedModel):
    """Work that overtime and tasks are booked against."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    is_active = models.BooleanField(default=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = CodeNaturalKeyManager()

    class Meta:
        ordering = ("code",)
        indexes = [models.Index(fields=["department", "is_active"], name="project_dept_active_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="project_code_not_blank"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="project_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    natural_key.dependencies = ["api.department"]
