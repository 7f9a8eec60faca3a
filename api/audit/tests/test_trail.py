"""The audit trail knows no domain: resource names come from the registration done at
start-up, departments from the log's own foreign key."""

import pytest

from api.accounts.models import UserSession
from api.accounts.roles import MODEL_RESOURCES, Resource, Role
from api.audit.trail import REDACTED, audit_record, diff, resource_of, snapshot
from tests.factories import make_department, make_employee, make_user

pytestmark = pytest.mark.django_db


def test_rows_are_named_by_the_resources_registered_at_start_up():
    department = make_department(code="OPS")

    assert MODEL_RESOURCES["department"] == Resource.DEPARTMENTS
    assert resource_of(department) == Resource.DEPARTMENTS


def test_a_model_nobody_registered_is_named_after_itself():
    assert "usersession" not in MODEL_RESOURCES
    assert resource_of(UserSession()) == "usersession"


def test_department_of_a_department_an_employee_and_a_user_row():
    department = make_department(code="OPS")
    employee = make_employee(department=department)
    admin = make_user(Role.SUPERADMIN)

    own = audit_record(user=admin, action="update", instance=department)
    through_fk = audit_record(user=admin, action="update", instance=employee)

    assert (own.department_id, own.resource) == (department.pk, Resource.DEPARTMENTS)
    assert (through_fk.department_id, through_fk.resource) == (department.pk, Resource.EMPLOYEES)


def test_snapshot_redacts_secrets_and_diff_keeps_what_changed():
    user = make_user(Role.STAFF)

    before = snapshot(user)
    user.first_name = "Ada"
    changes = diff(before, snapshot(user))

    assert before["password"] == REDACTED
    assert changes == {"first_name": {"old": before["first_name"], "new": "Ada"}}
