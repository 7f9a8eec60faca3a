from datetime import date

import pytest
from django.db.models import ProtectedError

from api.org.models import Department, Employee, Project
from tests.db import rejected_by_database
from tests.factories import make_department, make_employee, make_overtime, make_project

pytestmark = pytest.mark.django_db


def test_duplicate_department_code_is_refused():
    make_department(code="ENG")
    with rejected_by_database():
        make_department(code="ENG")


def test_blank_codes_are_refused():
    with rejected_by_database():
        make_department(code="")
    with rejected_by_database():
        make_employee(employee_code="")
    with rejected_by_database():
        make_project(code="")


def test_department_cannot_be_its_own_parent():
    department = make_department()
    with rejected_by_database():
        Department.objects.filter(pk=department.pk).update(parent=department)


def test_duplicate_employee_code_is_refused():
    make_employee(employee_code="E1")
    with rejected_by_database():
        make_employee(employee_code="E1")


def test_project_ending_before_it_starts_is_refused():
    with rejected_by_database():
        make_project(start_date=date(2026, 5, 1), end_date=date(2026, 4, 30))


def test_deleting_an_employee_with_overtime_history_is_refused():
    request = make_overtime()
    with pytest.raises(ProtectedError):
        request.employee.delete()
    assert Employee.objects.filter(pk=request.employee_id).exists()


def test_deleting_a_department_with_employees_is_refused():
    employee = make_employee()
    with pytest.raises(ProtectedError):
        employee.department.delete()


def test_natural_keys_are_the_codes():
    project = make_project(code="PRJ-9", department=make_department(code="OPS"))
    assert project.natural_key() == ("PRJ-9",)
    assert Department.objects.get_by_natural_key("OPS") == project.department
    assert Project.objects.get_by_natural_key("PRJ-9") == project
