"""Fixtures of the overtime tests."""

from decimal import Decimal

import pytest

from api.accounts.roles import Role
from tests.factories import make_department, make_regulation, make_user


@pytest.fixture
def people():
    """A department with an employee, two admins and a read-only user; an admin of
    another department; two superadmins of a third one."""
    department = make_department(code="OPS")
    make_regulation(second_approval_threshold_hours=Decimal("2"))  # global
    boardroom = make_department(code="HQ")
    return {
        "employee": make_user(Role.STAFF, department=department),
        "colleague": make_user(Role.STAFF, department=department),
        "admin": make_user(Role.PTB_ADMIN, department=department),
        "admin2": make_user(Role.PTB_ADMIN, department=department),
        "reader": make_user(Role.USER, department=department),
        "other_admin": make_user(Role.PTB_ADMIN),
        "superadmin": make_user(Role.SUPERADMIN, department=boardroom),
        "superadmin2": make_user(Role.SUPERADMIN, department=boardroom),
    }
