"""The HR directory sync against the bundled reference HR server (a real HTTP service)."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.audit.models import UserActivityLog
from api.integrations.external_api import ExternalAPIUnavailable
from api.org.models import Department, Employee
from api.org.services import SuspiciousFeed, hr_directory_sync
from api.overtime.models import OvertimeRequest
from generate_data.directory import build_directory
from tests.factories import (
    PASSWORD,
    make_department,
    make_employee,
    make_overtime,
    make_user,
)

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/local/"
ME = "/api/auth/me/"


@pytest.fixture
def directory():
    """The reference server's default data (seed 42, 12 people), ours to edit."""
    return copy.deepcopy(build_directory(seed=42, employees=12))


def person(directory, code):
    return next(e for e in directory["employees"] if e["employee_code"] == code)


def department(directory, code):
    return next(d for d in directory["departments"] if d["code"] == code)


def without(directory, code):
    edited = copy.deepcopy(directory)
    edited["employees"] = [e for e in edited["employees"] if e["employee_code"] != code]
    return edited


def sync_logs():
    return UserActivityLog.objects.filter(action__startswith="sync_")


def linked_user(code):
    """A local login linked to the synced employee `code`."""
    user = make_user(with_employee=False)
    Employee.objects.filter(employee_code=code).update(user=user)
    return user


def test_first_sync_creates_departments_and_employees_with_links(external_api):
    result = hr_directory_sync()

    assert (result.departments.created, result.employees.created) == (6, 12)
    assert result.warnings == []
    eng = Department.objects.select_related("parent", "manager").get(code="ENG")
    assert eng.external_id == "dept-ENG"
    assert eng.parent.code == "PTB"
    assert eng.manager.employee_code == "E00002"
    assert Department.objects.get(code="PTB").parent is None
    demo = Employee.objects.get(employee_code="E00001")
    assert (demo.first_name, demo.department.code, demo.external_id) == ("Demo", "ENG", "emp-00001")
    assert demo.synced_at is not None
    assert sync_logs().filter(action="sync_create").count() == 18
    assert sync_logs().get(object_id=str(demo.pk), resource="employees").user is None


def test_second_sync_with_the_same_data_changes_nothing(external_api):
    hr_directory_sync()
    logs_before = UserActivityLog.objects.count()
    updated_at = dict(Employee.objects.values_list("pk", "updated_at"))

    again = hr_directory_sync()

    assert again.departments.changed == 0
    assert again.employees.changed == 0
    assert (again.departments.unchanged, again.employees.unchanged) == (6, 12)
    assert UserActivityLog.objects.count() == logs_before
    assert dict(Employee.objects.values_list("pk", "updated_at")) == updated_at


def test_employee_gone_from_hr_is_deactivated_keeps_history_and_cannot_sign_in(
    external_api, directory, api_client, client_for
):
    hr_directory_sync()
    user = linked_user("E00005")
    session = client_for(user)
    overtime = make_overtime(employee=Employee.objects.get(employee_code="E00005"))
    external_api.replace_directory(without(directory, "E00005"))

    result = hr_directory_sync()

    leaver = Employee.objects.get(employee_code="E00005")
    user.refresh_from_db()
    assert result.employees.deactivated == 1
    assert result.accounts_locked == 1
    assert leaver.is_active is False
    assert OvertimeRequest.objects.filter(pk=overtime.pk, employee=leaver).exists()
    assert user.is_active is False
    login = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert login.status_code == 401
    assert session.get(ME).status_code == 401
    log = sync_logs().get(action="sync_deactivate", object_id=str(leaver.pk), resource="employees")
    assert log.changes == {"is_active": {"old": True, "new": False}}
    account_log = sync_logs().get(action="sync_deactivate", resource="access_control")
    assert account_log.object_id == str(user.pk)


def test_employee_marked_inactive_by_hr_is_deactivated(external_api, directory):
    hr_directory_sync()
    person(directory, "E00004")["is_active"] = False
    external_api.replace_directory(directory)

    result = hr_directory_sync()

    assert result.employees.deactivated == 1
    assert Employee.objects.get(employee_code="E00004").is_active is False


def test_department_rename_and_employee_move_are_updated_with_diffs(external_api, directory):
    hr_directory_sync()
    department(directory, "ENG")["name"] = "Software"
    person(directory, "E00001")["department_code"] = "OPS"
    person(directory, "E00001")["position"] = "Operations Specialist"
    external_api.replace_directory(directory)

    result = hr_directory_sync()

    eng = Department.objects.get(code="ENG")
    demo = Employee.objects.select_related("department").get(employee_code="E00001")
    ops = Department.objects.get(code="OPS")
    assert (result.departments.updated, result.employees.updated) == (1, 1)
    assert eng.name == "Software"
    assert demo.department == ops
    assert sync_logs().get(action="sync_update", resource="departments").changes == {
        "name": {"old": "Engineering", "new": "Software"}
    }
    assert sync_logs().get(action="sync_update", resource="employees").changes == {
        "department": {"old": eng.pk, "new": ops.pk},
        "position": {"old": "Software Engineer", "new": "Operations Specialist"},
    }


def test_new_manager_is_linked_and_a_parent_loop_is_refused(external_api, directory):
    hr_directory_sync()
    department(directory, "ENG")["manager_employee_code"] = "E00001"
    department(directory, "PTB")["parent_code"] = "ENG"  # ENG already sits below PTB
    external_api.replace_directory(directory)

    result = hr_directory_sync()

    eng = Department.objects.select_related("manager").get(code="ENG")
    assert eng.manager.employee_code == "E00001"
    assert Department.objects.get(code="PTB").parent is None
    assert any("PTB" in warning and "loop" in warning for warning in result.warnings)


def test_a_listed_employee_with_unusable_data_is_reported_not_deactivated(external_api, directory):
    hr_directory_sync()
    person(directory, "E00008")["position"] = "x" * 500
    external_api.replace_directory(directory)

    result = hr_directory_sync()

    assert Employee.objects.get(employee_code="E00008").is_active is True
    assert result.employees.changed == 0
    assert any("E00008" in warning for warning in result.warnings)


def test_employee_back_in_hr_is_reactivated_and_may_sign_in_again(external_api, directory):
    hr_directory_sync()
    user = linked_user("E00006")
    external_api.replace_directory(without(directory, "E00006"))
    hr_directory_sync()
    external_api.replace_directory(directory)

    result = hr_directory_sync()

    user.refresh_from_db()
    assert result.employees.updated == 1
    assert result.accounts_unlocked == 1
    assert Employee.objects.get(employee_code="E00006").is_active is True
    assert user.is_active is True


def test_department_gone_from_hr_is_deactivated_and_reactivated_on_return(external_api, directory):
    hr_directory_sync()
    edited = copy.deepcopy(directory)
    edited["departments"] = [d for d in edited["departments"] if d["code"] != "QA"]
    external_api.replace_directory(edited)

    gone = hr_directory_sync()
    qa_after_removal = Department.objects.get(code="QA").is_active
    external_api.replace_directory(directory)
    back = hr_directory_sync()

    assert gone.departments.deactivated == 1
    assert qa_after_removal is False
    assert back.departments.updated == 1
    assert Department.objects.get(code="QA").is_active is True


def test_records_not_from_hr_are_left_alone(external_api):
    local_admin = make_user(with_employee=False)
    make_employee(employee_code="LOC-1", department=make_department(code="LOC"), user=local_admin)

    result = hr_directory_sync()

    local_admin.refresh_from_db()
    assert local_admin.is_active is True
    assert local_admin.employee.is_active is True
    assert Department.objects.get(code="LOC").is_active is True
    assert result.employees.unchanged == 1


def test_hand_made_records_with_an_hr_code_are_taken_over(external_api):
    eng = make_department(code="ENG", name="Eng (typed by hand)")

    hr_directory_sync()

    eng.refresh_from_db()
    assert eng.external_id == "dept-ENG"
    assert eng.name == "Engineering"
    assert Department.objects.filter(code="ENG").count() == 1


def test_employee_in_an_unknown_department_is_reported_not_created(external_api, directory):
    person(directory, "E00007")["department_code"] = "NOPE"
    external_api.replace_directory(directory)

    result = hr_directory_sync()

    assert result.employees.created == 11
    assert not Employee.objects.filter(employee_code="E00007").exists()
    assert any("E00007" in warning and "NOPE" in warning for warning in result.warnings)


def test_an_empty_feed_is_refused_instead_of_deactivating_everyone(external_api, directory):
    hr_directory_sync()
    external_api.replace_directory({"departments": directory["departments"], "employees": []})

    with pytest.raises(SuspiciousFeed):
        hr_directory_sync()

    assert not Employee.objects.filter(is_active=False).exists()


def test_a_failure_mid_way_leaves_nothing_written(external_api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(UserActivityLog.objects, "bulk_create", broken)

    with pytest.raises(RuntimeError):
        hr_directory_sync()

    assert not Department.objects.exists()
    assert not Employee.objects.exists()


def test_service_down_raises_before_any_change(external_api):
    external_api.server.shutdown()
    external_api.server.server_close()  # nothing had connected yet: no kept-alive socket

    with pytest.raises(ExternalAPIUnavailable):
        hr_directory_sync()

    assert not Department.objects.exists()
    assert not UserActivityLog.objects.exists()


@pytest.mark.parametrize("head_count", [12, 60])
def test_query_count_does_not_grow_with_the_head_count(external_api_factory, head_count):
    external_api_factory(employees=head_count)

    with CaptureQueriesContext(connection) as first_run:
        result = hr_directory_sync()

    assert result.employees.created == head_count
    # lock, 2 reads, per model: create + synced_at, department links, audit insert.
    assert len(first_run.captured_queries) <= 12
