"""Board cards in every column, made and moved through the Kanban services, so their
positions, activity, audit trail, notifications and events are the real ones.

Each department admin files a card per column for their department; each card has an
assignee, a checklist, a comment by somebody else and, once work started, a time log
by its assignee. In ENG the SSO demo employee files one of them and assigns demo.admin.
The superadmin files a company-wide card for the department admins, and demo.admin
sets a reminder on it for tomorrow morning (the periodic job sends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.kanban.models import Task, TaskGroup, TaskPriority
from api.kanban.services import (
    task_comment_create,
    task_create,
    task_move,
    task_reminder_create,
    task_subtask_create,
    task_time_log_create,
)
from api.management.demo.actors import DepartmentCrew, department_crews, superadmin
from api.management.demo.people import SSO_ADMIN, DemoPeople

REMINDER_TIME = time(7, 30)


@dataclass(frozen=True)
class CardPlan:
    title: str
    priority: str
    checklist: tuple[str, ...]
    comment: str
    due_in_days: int | None


# One per column, in the board's column order (a board with more columns leaves the
# last ones empty; one with fewer gets fewer cards).
PLANS = (
    CardPlan(
        "Prepare next quarter's budget draft",
        TaskPriority.HIGH,
        ("Collect last year's figures", "Ask team leads for needs"),
        "Please include the training budget this time.",
        14,
    ),
    CardPlan(
        "Update the onboarding checklist",
        TaskPriority.MEDIUM,
        ("List the accounts a newcomer needs", "Check the laptop setup guide"),
        "The VPN step changed last month, worth a look.",
        7,
    ),
    CardPlan(
        "Review the overtime FAQ",
        TaskPriority.LOW,
        ("Read the current FAQ", "Mark unclear answers"),
        "Looks good to me apart from the weekend section.",
        3,
    ),
    CardPlan(
        "Archive last quarter's timesheets",
        TaskPriority.MEDIUM,
        ("Export the timesheets", "Move them to the archive share"),
        "Done and checked, thanks!",
        None,
    ),
)


def _log_work(task: Task, by: User, *, days_ago: int, hours: int, note: str) -> None:
    day = timezone.localdate() - timedelta(days=days_ago)
    started = datetime.combine(day, time(9), timezone.get_current_timezone())
    task_time_log_create(
        task=task, by=by, started_at=started, ended_at=started + timedelta(hours=hours), note=note
    )


def _card(
    column: TaskGroup, index: int, plan: CardPlan, *, by: User, assignee: User, commenter: User
) -> Task:
    today = timezone.localdate()
    first = TaskGroup.objects.order_by("position", "pk").first()
    task = task_create(
        by=by,
        title=plan.title,
        description=f"{plan.title}. Notes and files go in the comments.",
        priority=plan.priority,
        assignees=[assignee],
        due_date=today + timedelta(days=plan.due_in_days) if plan.due_in_days else None,
        group=first,
    )
    for position, title in enumerate(plan.checklist):
        # Work under way has its first item ticked; finished work has all of them.
        done = column.is_done_column or (index > 0 and position == 0)
        task_subtask_create(task=task, by=by, title=title, is_done=done, assignee=assignee)
    if index > 0:
        _log_work(task, assignee, days_ago=index + 1, hours=index + 1, note="Worked on it")
    if column.pk != task.group_id:
        task = task_move(task=task, group=column, position=0, by=assignee)
    task_comment_create(task=task, body=plan.comment, by=commenter)
    return task


def _department_cards(columns: list[TaskGroup], crew: DepartmentCrew, overseer: User) -> int:
    made = 0
    for index, (column, plan) in enumerate(zip(columns, PLANS, strict=False)):
        by, assignee, commenter = crew.admin, crew.admin, overseer
        if crew.staff is not None:
            # ENG: the staff member files the card in progress and hands it to the admin,
            # who answers; the staff member reviews, and reports on, the admin's card.
            if index == 1:
                by, commenter = crew.staff, crew.admin
            elif index == 2:
                assignee, commenter = crew.staff, crew.staff
        _card(column, index, plan, by=by, assignee=assignee, commenter=commenter)
        made += 1
    return made


def _company_card(overseer: User, crews: list[DepartmentCrew]) -> int:
    admins = [crew.admin for crew in crews]
    if not admins:
        return 0
    task = task_create(
        by=overseer,
        title="Check every department's overtime before payroll",
        description="Each department admin confirms the month's approved overtime.",
        priority=TaskPriority.URGENT,
        department=None,
        assignees=admins,
        due_date=timezone.localdate() + timedelta(days=5),
    )
    task_subtask_create(task=task, by=overseer, title="Approve what is waiting")
    task_comment_create(
        task=task, body="Payroll closes on Friday, please be done by Thursday.", by=overseer
    )
    demo_admin = next((user for user in admins if user.username == SSO_ADMIN), admins[0])
    # The superadmin, who filed the card, hears of the answer.
    task_comment_create(task=task, body="On it, ENG is nearly done.", by=demo_admin)
    tomorrow = timezone.localdate() + timedelta(days=1)
    task_reminder_create(
        task=task,
        by=demo_admin,
        remind_at=datetime.combine(tomorrow, REMINDER_TIME, timezone.get_current_timezone()),
        message="Go through the overtime queue",
    )
    return 1


@transaction.atomic
def demo_board_create(people: DemoPeople) -> int:
    """The demo cards, if the board has no card yet (its columns exist already)."""
    if Task.objects.exists():
        return 0
    columns = list(TaskGroup.objects.order_by("position", "pk"))
    if not columns:
        return 0
    crews, overseer = department_crews(people), superadmin(people)
    made = sum(_department_cards(columns, crew, overseer) for crew in crews)
    return made + _company_card(overseer, crews)
