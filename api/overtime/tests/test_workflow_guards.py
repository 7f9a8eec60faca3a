"""The request workflow at the service layer (api/overtime/services/guards.py and the
steps that call them): who may take each step and from which state. Calls the
services directly, against the real database, so refusals that the API would already
turn into a 404 are checked too. What each step records and tells:
test_workflow_steps.py."""

import pytest

from api.common.exceptions import InvalidTransition, NotAllowed
from api.overtime import services
from api.overtime.models import OvertimeRequest
from api.overtime.tests.workflow_support import (
    S,
    at,
    audit,
    draft,
    refusal,
    submitted,
)

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------- ownership


def test_an_admin_files_for_an_employee_who_then_submits_and_cancels(people):
    request = draft(people, by="admin", for_employee="employee")
    assert request.created_by == people["admin"]
    assert request.employee == people["employee"].employee

    request = services.overtime_request_submit(overtime_request=request, by=people["employee"])
    assert request.status == S.SUBMITTED

    request = services.overtime_request_cancel(overtime_request=request, by=people["employee"])
    assert request.status == S.CANCELLED


def test_the_admin_who_filed_may_submit_and_cancel_it_as_well(people):
    request = draft(people, by="admin", for_employee="employee")

    request = services.overtime_request_submit(overtime_request=request, by=people["admin"])
    assert request.status == S.SUBMITTED
    assert audit(request, "submit").user == people["admin"]

    request = services.overtime_request_cancel(overtime_request=request, by=people["admin"])
    assert request.status == S.CANCELLED


def test_the_admin_who_filed_may_not_decide_it_but_another_admin_may(people):
    request = draft(people, by="admin", for_employee="employee")
    request = services.overtime_request_submit(overtime_request=request, by=people["employee"])

    with pytest.raises(NotAllowed) as approving:
        services.overtime_request_approve(overtime_request=request, by=people["admin"])
    with pytest.raises(NotAllowed) as rejecting:
        services.overtime_request_reject(overtime_request=request, by=people["admin"], reason="No")

    assert refusal(approving) == refusal(rejecting) == "Nobody decides on their own overtime."
    approved = services.overtime_request_approve(overtime_request=request, by=people["admin2"])
    assert approved.status == S.APPROVED


def test_nobody_decides_on_their_own_overtime_even_a_superadmin(people):
    request = draft(people, by="superadmin")
    request = services.overtime_request_submit(overtime_request=request, by=people["superadmin"])

    with pytest.raises(NotAllowed) as own:
        services.overtime_request_approve(overtime_request=request, by=people["superadmin"])

    assert refusal(own) == "Nobody decides on their own overtime."
    assert services.overtime_request_approve(
        overtime_request=request, by=people["superadmin2"]
    ).status == (S.APPROVED)


@pytest.mark.parametrize("outsider", ["colleague", "admin", "superadmin"])
def test_only_the_owner_submits_or_cancels(people, outsider):
    request = draft(people)

    with pytest.raises(NotAllowed) as submitting:
        services.overtime_request_submit(overtime_request=request, by=people[outsider])
    with pytest.raises(NotAllowed) as cancelling:
        services.overtime_request_cancel(overtime_request=request, by=people[outsider])

    assert refusal(submitting) == "Only the owner of this request may submit it."
    assert refusal(cancelling) == "Only the owner of this request may cancel it."
    assert OvertimeRequest.objects.get(pk=request.pk).status == S.DRAFT


@pytest.mark.parametrize("outsider", ["colleague", "admin"])
def test_only_the_owner_or_a_global_admin_edits_or_deletes_a_draft(people, outsider):
    request = draft(people)

    with pytest.raises(NotAllowed) as editing:
        services.overtime_request_update(overtime_request=request, by=people[outsider], reason="x")
    with pytest.raises(NotAllowed) as deleting:
        services.overtime_request_delete(overtime_request=request, by=people[outsider])

    assert refusal(editing) == "Only the owner of this request may edit it."
    assert refusal(deleting) == "Only the owner of this request may delete it."
    edited = services.overtime_request_update(
        overtime_request=request, by=people["superadmin"], reason="Inventory"
    )
    assert edited.reason == "Inventory"
    services.overtime_request_delete(overtime_request=request, by=people["superadmin"])
    assert not OvertimeRequest.objects.filter(pk=request.pk).exists()


# ----------------------------------------------------------------------- states

ACTIONS = ("edit", "delete", "submit", "approve", "reject", "cancel")
ALLOWED = {
    S.DRAFT: {"edit", "delete", "submit", "cancel"},
    S.SUBMITTED: {"approve", "reject", "cancel"},
    S.PENDING_SECOND_APPROVAL: {"approve", "reject"},
    S.APPROVED: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}


def take(action: str, request: OvertimeRequest, people):
    match action:
        case "edit":
            return services.overtime_request_update(
                overtime_request=request, by=people["employee"], reason="Edited"
            )
        case "delete":
            return services.overtime_request_delete(overtime_request=request, by=people["employee"])
        case "submit":
            return services.overtime_request_submit(overtime_request=request, by=people["employee"])
        case "approve":
            return services.overtime_request_approve(
                overtime_request=request, by=people["superadmin"]
            )
        case "reject":
            return services.overtime_request_reject(
                overtime_request=request, by=people["superadmin"], reason="Not budgeted"
            )
        case "cancel":
            return services.overtime_request_cancel(overtime_request=request, by=people["employee"])
    raise AssertionError(action)


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_starts_only_from_its_states(people, status, action):
    request = draft(people)
    OvertimeRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()

    if action in ALLOWED[status]:
        take(action, request, people)
        return
    with pytest.raises(InvalidTransition) as refused:
        take(action, request, people)

    assert refusal(refused) == f"Cannot {action} an overtime request that is {status}."
    assert refused.value.extra == {"current_status": status}
    assert OvertimeRequest.objects.get(pk=request.pk).status == status


# ----------------------------------------------------------------------- deciders


@pytest.mark.parametrize("who", ["colleague", "reader"])
def test_deciding_needs_the_approve_permission(people, who):
    request = submitted(people)

    with pytest.raises(NotAllowed) as approving:
        services.overtime_request_approve(overtime_request=request, by=people[who])
    with pytest.raises(NotAllowed) as rejecting:
        services.overtime_request_reject(overtime_request=request, by=people[who], reason="No")

    message = "Your permissions do not allow deciding overtime."
    assert refusal(approving) == refusal(rejecting) == message


def test_a_department_admin_decides_only_in_their_department(people):
    request = submitted(people)

    with pytest.raises(NotAllowed) as approving:
        services.overtime_request_approve(overtime_request=request, by=people["other_admin"])
    with pytest.raises(NotAllowed) as rejecting:
        services.overtime_request_reject(
            overtime_request=request, by=people["other_admin"], reason="No"
        )

    message = "You decide only on overtime of your own department."
    assert refusal(approving) == refusal(rejecting) == message
    assert OvertimeRequest.objects.get(pk=request.pk).status == S.SUBMITTED


def test_a_superadmin_of_another_department_decides(people):
    assert services.overtime_request_approve(
        overtime_request=submitted(people), by=people["superadmin"]
    ).status == (S.APPROVED)
    other = services.overtime_request_create(
        by=people["employee"], start_at=at(10), end_at=at(11), reason="Audit"
    )
    other = services.overtime_request_submit(overtime_request=other, by=people["employee"])
    assert services.overtime_request_reject(
        overtime_request=other, by=people["superadmin"], reason="No"
    ).status == (S.REJECTED)
