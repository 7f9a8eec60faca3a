"""/api/v1/departments/: the org chart everyone reads and global admins maintain."""

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.org.models import Department
from tests.factories import make_department, make_employee, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/departments/"


@pytest.fixture
def superadmin(client_for):
    return client_for(make_user(Role.SUPERADMIN, with_employee=False))


def detail(department) -> str:
    return f"{URL}{department.pk}/"


def test_every_signed_in_user_reads_the_org_chart(client_for):
    root = make_department(code="PTB")
    manager = make_employee(department=root)
    eng = make_department(code="ENG", parent=root, manager=manager)
    make_employee(department=eng)
    make_employee(department=eng, is_active=False)
    reader = client_for(make_user(Role.USER))

    body = reader.get(f"{detail(eng)}").json()

    assert body["parent"] == {"id": root.pk, "code": "PTB", "name": root.name}
    assert body["manager"]["employee_code"] == manager.employee_code
    assert body["manager"]["department"]["code"] == "PTB"
    assert body["employee_count"] == 1  # active people only
    assert {"external_id", "synced_at", "is_active", "created_at", "updated_at"} <= set(body)


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get(URL).status_code == 401


def test_superadmin_creates_a_department_with_its_code_normalised(superadmin):
    parent = make_department(code="PTB")

    response = superadmin.post(URL, {"code": " fin ", "name": "Finance", "parent": parent.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "FIN"
    assert body["parent"]["id"] == parent.pk
    assert body["employee_count"] == 0
    log = UserActivityLog.objects.get(action="create", resource="departments")
    assert log.changes["code"] == "FIN"


def test_a_code_that_differs_only_in_case_is_a_duplicate(superadmin):
    make_department(code="ENG")

    response = superadmin.post(URL, {"code": "eng", "name": "Engineering 2"})

    assert response.status_code == 400
    assert "code" in response.json()["error"]["fields"]


def test_missing_name_is_400_naming_the_field(superadmin):
    response = superadmin.post(URL, {"code": "X"})

    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


@pytest.mark.parametrize("new_parent", ["itself", "grandchild"])
def test_a_parent_below_the_department_is_refused(superadmin, new_parent):
    top = make_department(code="TOP")
    child = make_department(code="MID", parent=top)
    grandchild = make_department(code="LOW", parent=child)
    target = top if new_parent == "itself" else grandchild

    response = superadmin.patch(detail(top), {"parent": target.pk})

    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]
    top.refresh_from_db()
    assert top.parent is None


def test_an_inactive_manager_is_refused(superadmin):
    department = make_department()
    former = make_employee(department=department, is_active=False)

    response = superadmin.patch(detail(department), {"manager": former.pk})

    assert response.status_code == 400
    assert "manager" in response.json()["error"]["fields"]


def test_deactivation_is_audited_with_the_change(superadmin):
    department = make_department()

    response = superadmin.patch(detail(department), {"is_active": False})

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    log = UserActivityLog.objects.get(action="update", resource="departments")
    assert log.changes == {"is_active": {"old": True, "new": False}}


def test_deleting_a_department_with_employees_is_409(superadmin):
    department = make_employee().department
    empty = make_department()

    refused = superadmin.delete(detail(department))
    deleted = superadmin.delete(detail(empty))

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "protected"
    assert Department.objects.filter(pk=department.pk).exists()
    assert deleted.status_code == 204


def test_department_admins_do_not_change_the_org_chart(client_for):
    admin = make_user(Role.PTB_ADMIN)
    own = admin.employee.department

    response = client_for(admin).patch(detail(own), {"name": "Renamed"})

    assert response.status_code == 403


def test_filters_search_and_ordering(superadmin):
    root = make_department(code="ROOT", name="Company")
    make_department(code="OPS", name="Operations", parent=root)
    make_department(code="ENG", name="Engineering", parent=root, is_active=False)

    def codes(query: str) -> list[str]:
        return [row["code"] for row in superadmin.get(f"{URL}?{query}").json()["results"]]

    assert codes(f"parent={root.pk}") == ["ENG", "OPS"]
    assert codes("root=true") == ["ROOT"]
    assert codes("is_active=false") == ["ENG"]
    assert codes("search=operat") == ["OPS"]
    assert codes("ordering=-name") == ["OPS", "ENG", "ROOT"]


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    superadmin, page_size, django_assert_max_num_queries
):
    root = make_department()
    for _ in range(60):
        department = make_department(parent=root, manager=make_employee(department=root))
        make_employee(department=department)
    superadmin.get(URL)  # the session's first request records its activity (one UPDATE)

    # count + page, whatever the size.
    with django_assert_max_num_queries(2) as captured:
        response = superadmin.get(f"{URL}?page_size={page_size}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2
