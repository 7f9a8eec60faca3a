from django.conf import settings
from django.db import models
from django.db.models import F, Q

from api.common.models import TimestampedModel


class HolidaySource(models.TextChoices):
    MANUAL = "manual", "Entered by an admin"
    IMPORTED = "imported", "Imported from the holidays package"


class Holiday(TimestampedModel):
    """A public holiday; recurring ones repeat on the same month and day every year."""

    date = models.DateField()
    name = models.CharField(max_length=200)
    is_recurring = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    source = models.CharField(
        max_length=16, choices=HolidaySource.choices, default=HolidaySource.MANUAL
    )

    class Meta:
        ordering = ("date",)
        constraints = [
            models.UniqueConstraint(fields=["date"], name="holiday_unique_date"),
            models.CheckConstraint(condition=~Q(name=""), name="holiday_name_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class HolidayImport(models.Model):
    """What an import once wrote: one row per country, subdivision and date.

    An import creates only holidays it has no row for, so it is idempotent and leaves
    alone what an admin did since: an edited holiday keeps its edits, and a deleted
    one stays deleted (its row remains with `holiday` empty, a tombstone).
    """

    country = models.CharField(max_length=8)
    subdivision = models.CharField(max_length=16, blank=True)
    date = models.DateField()
    name = models.CharField(max_length=200)
    holiday = models.ForeignKey(
        Holiday, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("date", "country")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "subdivision", "date"], name="holiday_import_unique_date"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
        return f"{where} {self.date:%Y-%m-%d} {self.name}"


class CalendarEventType(models.TextChoices):
    MEETING = "meeting", "Meeting"
    DEADLINE = "deadline", "Deadline"
    TRAINING = "training", "Training"
    COMPANY = "company", "Company event"
    OTHER = "other", "Other"


class CalendarVisibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    DEPARTMENT = "department", "Department"
    PRIVATE = "private", "Only me"


class CalendarEvent(TimestampedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    event_type = models.CharField(
        max_length=16, choices=CalendarEventType.choices, default=CalendarEventType.OTHER
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    location = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(
        max_length=16, choices=CalendarVisibility.choices, default=CalendarVisibility.PUBLIC
    )
    department = models.ForeignKey(
        "api.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calendar_events",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_events"
    )
    attendees = models.ManyToManyField("api.Employee", blank=True, related_name="calendar_events")

    class Meta:
        ordering = ("start_at", "id")
        indexes = [models.Index(fields=["start_at", "end_at"], name="calendar_event_range_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gte=F("start_at")), name="calendar_event_end_not_before_start"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="calendar_event_title_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_at:%Y-%m-%d %H:%M})"


class LeaveType(models.TextChoices):
    ANNUAL = "annual", "Annual leave"
    SICK = "sick", "Sick leave"
    UNPAID = "unpaid", "Unpaid leave"
    PERSONAL = "personal", "Personal leave"
    OTHER = "other", "Other"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class EmployeeLeave(TimestampedModel):
    """Days an employee is away; approved leave blocks overtime on those days."""

    employee = models.ForeignKey("api.Employee", on_delete=models.PROTECT, related_name="leaves")
    leave_type = models.CharField(max_length=16, choices=LeaveType.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ("-start_date", "id")
        indexes = [
            models.Index(
                fields=["employee", "status", "start_date", "end_date"],
                name="leave_employee_range_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leave_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LeaveStatus.values), name="leave_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.leave_type} {self.start_date}-{self.end_date}"
