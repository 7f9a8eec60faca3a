from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from api.common.models import TimestampedModel
from api.common.uploads import stored_name
from api.overtime.rules import DayCategory, WorkWeek

ZERO = Decimal("0")


def default_rest_weekdays() -> list[int]:
    return [5, 6]  # Saturday and Sunday


class WorkWeekLength(models.IntegerChoices):
    FIVE_DAYS = 5, "5-day week"
    SIX_DAYS = 6, "6-day week"


class RegulationScope(models.TextChoices):
    GLOBAL = "global", "Global"
    DEPARTMENT = "department", "Department"


class OvertimeRegulation(TimestampedModel):
    """The limits in force: a department's own regulation wins over the global one."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.CharField(max_length=16, choices=RegulationScope.choices)
    department = models.ForeignKey(
        "api.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overtime_regulations",
    )
    max_hours_per_day = models.DecimalField(max_digits=5, decimal_places=2)
    max_hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    max_hours_per_month = models.DecimalField(max_digits=6, decimal_places=2)
    max_hours_per_year = models.DecimalField(max_digits=7, decimal_places=2)
    # Requests whose net hours exceed this need a superadmin after the department admin.
    second_approval_threshold_hours = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    # The work week the day categories follow, unless the department sets its own.
    work_days_per_week = models.PositiveSmallIntegerField(
        choices=WorkWeekLength.choices, default=WorkWeekLength.FIVE_DAYS
    )
    # Weekdays, 0 = Monday ... 6 = Sunday; a JSON list keeps SQLite and PostgreSQL alike.
    rest_weekdays = models.JSONField(default=default_rest_weekdays)
    # Only read for 6-day weeks: a holiday on it has its own compensation table.
    shortest_workday = models.PositiveSmallIntegerField(null=True, blank=True, default=5)
    # PP 35/2021 art. 26(2): overtime on rest days and holidays is outside the limits.
    rest_day_counts_toward_limits = models.BooleanField(default=False)
    # Art. 29: from this many hours of overtime on, the employee is owed a meal.
    meal_threshold_hours = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("4.00")
    )
    # Which shipped preset this regulation came from ("" for one an admin created) and
    # the values that preset last wrote: an upgrade rewrites the regulation only while
    # its values still equal these, i.e. while no admin has edited it.
    preset = models.CharField(max_length=32, blank=True)
    preset_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-effective_from", "name")
        indexes = [
            models.Index(
                fields=["scope", "department", "effective_from"], name="regulation_lookup_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="global") & Q(department__isnull=True))
                | (Q(scope="department") & Q(department__isnull=False)),
                name="regulation_scope_matches_department",
            ),
            models.CheckConstraint(
                condition=Q(max_hours_per_day__gt=0)
                & Q(max_hours_per_week__gt=0)
                & Q(max_hours_per_month__gt=0)
                & Q(max_hours_per_year__gt=0),
                name="regulation_limits_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_hours_per_day__lte=24)
                & Q(max_hours_per_week__gte=F("max_hours_per_day"))
                & Q(max_hours_per_month__gte=F("max_hours_per_week"))
                & Q(max_hours_per_year__gte=F("max_hours_per_month")),
                name="regulation_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(second_approval_threshold_hours__isnull=True)
                | Q(second_approval_threshold_hours__gt=0),
                name="regulation_threshold_positive",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="regulation_effective_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(work_days_per_week__in=WorkWeekLength.values),
                name="regulation_work_week_length",
            ),
            models.CheckConstraint(
                condition=Q(shortest_workday__isnull=True) | Q(shortest_workday__lte=6),
                name="regulation_shortest_workday_weekday",
            ),
            models.CheckConstraint(
                condition=Q(meal_threshold_hours__gt=0), name="regulation_meal_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        where = self.department.code if self.department_id else "global"
        return f"{self.name} ({where}, from {self.effective_from})"

    @property
    def work_week(self) -> WorkWeek:
        return WorkWeek(
            self.work_days_per_week, tuple(self.rest_weekdays or ()), self.shortest_workday
        )


class CompensationTier(models.Model):
    """One row of a compensation table: overtime hours in [hour_from, hour_to) of a day
    category weigh `multiplier` hourly wages (PP 35/2021 art. 31).

    Rows rather than a JSON field, so the database holds each table to its shape
    (positive multipliers, ordered bounds, one row per start hour) and the admin edits
    them inline; rules.tier_errors checks that a table has no gaps.
    `work_days_per_week` says which week the row is for; empty means any week (the
    workday table is the same for 5- and 6-day weeks, the rest-day ones are not).
    """

    regulation = models.ForeignKey(
        OvertimeRegulation, on_delete=models.CASCADE, related_name="compensation_tiers"
    )
    day_category = models.CharField(
        max_length=32, choices=[(c.value, c.name.replace("_", " ").title()) for c in DayCategory]
    )
    work_days_per_week = models.PositiveSmallIntegerField(
        choices=WorkWeekLength.choices, null=True, blank=True
    )
    hour_from = models.DecimalField(max_digits=4, decimal_places=2)
    # Empty on the last row only: every later hour weighs its multiplier.
    hour_to = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    multiplier = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        ordering = ("regulation", "day_category", "work_days_per_week", "hour_from")
        constraints = [
            # One row per start hour, for a week length or (NULL) for every week: two
            # partial constraints, as SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["regulation", "day_category", "work_days_per_week", "hour_from"],
                condition=Q(work_days_per_week__isnull=False),
                name="compensation_tier_unique_start",
            ),
            models.UniqueConstraint(
                fields=["regulation", "day_category", "hour_from"],
                condition=Q(work_days_per_week__isnull=True),
                name="compensation_tier_unique_start_any_week",
            ),
            models.CheckConstraint(
                condition=Q(day_category__in=[c.value for c in DayCategory]),
                name="compensation_tier_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(hour_from__gte=0)
                & (Q(hour_to__isnull=True) | Q(hour_to__gt=F("hour_from"))),
                name="compensation_tier_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(multiplier__gt=0), name="compensation_tier_multiplier_positive"
            ),
        ]

    def __str__(self) -> str:
        upper = self.hour_to if self.hour_to is not None else "…"
        return f"{self.day_category} h{self.hour_from}-{upper} x{self.multiplier}"


def regulation_document_path(instance: "OvertimeRegulationDocument", filename: str) -> str:
    """A generated name in the regulation's folder; the client's is `original_name`."""
    return stored_name(f"regulations/{instance.regulation_id}", filename)


class OvertimeRegulationDocument(TimestampedModel):
    """The signed text of a regulation (PDF, Word...), versioned."""

    regulation = models.ForeignKey(
        OvertimeRegulation, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=32)
    file = models.FileField(upload_to=regulation_document_path, max_length=500)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("regulation", "-created_at")
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "version"], name="regulation_document_unique_version"
            ),
            models.CheckConstraint(condition=~Q(version=""), name="regulation_document_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class OvertimeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PENDING_SECOND_APPROVAL = "pending_second_approval", "Pending second approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class OvertimeRequest(TimestampedModel):
    """One stretch of overtime an employee asks to have approved."""

    employee = models.ForeignKey(
        "api.Employee", on_delete=models.PROTECT, related_name="overtime_requests"
    )
    project = models.ForeignKey(
        "api.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overtime_requests",
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    reason = models.TextField()
    status = models.CharField(
        max_length=32, choices=OvertimeStatus.choices, default=OvertimeStatus.DRAFT
    )
    # Computed by the service from the times and the breaks (hours, 2 decimals).
    total_hours = models.DecimalField(max_digits=6, decimal_places=2, default=ZERO)
    break_hours = models.DecimalField(max_digits=6, decimal_places=2, default=ZERO)
    net_hours = models.DecimalField(max_digits=6, decimal_places=2, default=ZERO)
    is_weekend = models.BooleanField(default=False)
    is_holiday = models.BooleanField(default=False)
    regulation = models.ForeignKey(
        OvertimeRegulation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overtime_requests",
    )
    # What the regulation check found at submit time (limits, totals, violations).
    regulation_check = models.JSONField(default=dict, blank=True)
    # Computed by the service at create, update and submit under the regulation in
    # force on the local start date, so drafts show what submitting will decide and
    # lists read them as plain columns.
    requires_second_approval = models.BooleanField(default=False)
    day_category = models.CharField(
        max_length=32,
        choices=[(c.value, c.name.replace("_", " ").title()) for c in DayCategory],
        default=DayCategory.WORKDAY.value,
    )
    # Net hours weighted by the regulation's tiers, in hourly wages; empty without a
    # regulation (or a table for the day's category) to weigh them by.
    compensation_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    meal_due = models.BooleanField(default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    first_approval_note = models.TextField(blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    second_approval_note = models.TextField(blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-start_at", "-id")
        indexes = [
            models.Index(fields=["employee", "start_at"], name="overtime_employee_start_idx"),
            models.Index(fields=["status", "start_at"], name="overtime_status_start_idx"),
            models.Index(fields=["start_at", "id"], name="overtime_start_idx"),
            models.Index(fields=["project", "start_at"], name="overtime_project_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")), name="overtime_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(total_hours__gte=0) & Q(break_hours__gte=0) & Q(net_hours__gte=0),
                name="overtime_hours_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(net_hours__lte=F("total_hours")),
                name="overtime_net_not_above_total",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OvertimeStatus.values), name="overtime_status_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="overtime_reason_not_blank"),
        ]

    def __str__(self) -> str:
        return f"OT#{self.pk} {self.employee} {self.start_at:%Y-%m-%d %H:%M} ({self.status})"


class OvertimeBreak(TimestampedModel):
    """A pause inside an overtime request; its length is not paid."""

    request = models.ForeignKey(OvertimeRequest, on_delete=models.CASCADE, related_name="breaks")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("request", "start_at")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")), name="overtime_break_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Break {self.start_at:%H:%M}-{self.end_at:%H:%M} of OT#{self.request_id}"
