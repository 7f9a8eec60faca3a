"""/api/v1/employees/: a directory everyone reads; department admins keep their own."""

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.org.models import Employee
from tests.factories import PASSWORD, make_department, make_employee, make_overtime, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/employees/"
LOGIN = "/api/auth/login/local/"


@pytest.fixture
def org(client_for):
    """Two departments, an admin of the first, a superadmin, a staff member of the second."""
    own, other = make_department(code="OWN"), make_department(code="OTHER")
    people = {
        "admin": make_user(Role.PTB_ADMIN, department=own),
        "superadmin": make_user(Role.SUPERADMIN, with_employee=False),
        "staff": make_user(Role.STAFF, department=other),
    }
    clients = {name: client_for(user) for name, user in people.items()}
    return clients | {"users": people, "own": own, "other": other}


def detail(employee) -> str:
    return f"{URL}{employee.pk}/"


def new_employee(department, **extra) -> dict:
    return {
        "employee_code": "N-1",
        "first_name": "Nina",
        "last_name": "New",
        "email": "nina@example.com",
        "department": department.pk,
        "position": "Analyst",
        **extra,
    }


def test_staff_read_the_whole_directory(org):
    colleague = make_employee(department=org["own"], position="Welder")

    listed = org["staff"].get(URL).json()
    body = org["staff"].get(detail(colleague)).json()

    assert colleague.pk in {row["id"] for row in listed["results"]}
    assert body["department"] == {"id": org["own"].pk, "code": "OWN", "name": org["own"].name}
    assert body["full_name"] == colleague.full_name
    assert body["user"] is None
    assert {"external_id", "synced_at", "email", "position", "is_active"} <= set(body)


def test_superadmin_adds_an_employee_anywhere_and_it_is_audited(org):
    response = org["superadmin"].post(URL, new_employee(org["other"]))

    assert response.status_code == 201, response.content
    assert response.json()["department"]["code"] == "OTHER"
    log = UserActivityLog.objects.get(action="create", resource="employees")
    assert log.changes["employee_code"] == "N-1"
    assert log.department_id == org["other"].pk


def test_department_admin_adds_employees_to_their_own_department_only(org):
    own = org["admin"].post(URL, new_employee(org["own"]))
    foreign = org["admin"].post(URL, new_employee(org["other"], employee_code="N-2"))

    assert own.status_code == 201, own.content
    assert foreign.status_code == 403
    assert not Employee.objects.filter(employee_code="N-2").exists()


def test_department_admin_changes_only_their_own_people_and_cannot_move_them_out(org):
    mine = make_employee(department=org["own"])
    theirs = make_employee(department=org["other"])

    renamed = org["admin"].patch(detail(mine), {"position": "Lead"})
    foreign = org["admin"].patch(detail(theirs), {"position": "Lead"})
    moved = org["admin"].patch(detail(mine), {"department": org["other"].pk})

    assert renamed.status_code == 200
    assert renamed.json()["position"] == "Lead"
    assert foreign.status_code == 403
    assert moved.status_code == 403
    mine.refresh_from_db()
    assert mine.department == org["own"]


def test_only_superadmins_link_login_accounts(org):
    mine = make_employee(department=org["own"])
    account = make_user(with_employee=False)

    by_admin = org["admin"].patch(detail(mine), {"user": account.pk})
    by_superadmin = org["superadmin"].patch(detail(mine), {"user": account.pk})

    assert by_admin.status_code == 403
    assert by_superadmin.status_code == 200
    assert by_superadmin.json()["user"] == account.pk


def test_an_account_already_linked_elsewhere_is_400(org):
    taken = org["users"]["staff"]
    mine = make_employee(department=org["own"])

    response = org["superadmin"].patch(detail(mine), {"user": taken.pk})

    assert response.status_code == 400
    assert "user" in response.json()["error"]["fields"]


def test_department_admin_cannot_change_the_record_of_a_stronger_account(org):
    boss = make_user(Role.SUPERADMIN, department=org["own"])

    response = org["admin"].patch(detail(boss.employee), {"is_active": False})

    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.is_active is True


def test_deactivation_locks_the_login_and_reactivation_unlocks_it(org, api_client):
    worker = make_user(Role.STAFF, department=org["own"])
    url = detail(worker.employee)

    left = org["admin"].patch(url, {"is_active": False})
    worker.refresh_from_db()
    refused = api_client.post(LOGIN, {"username": worker.username, "password": PASSWORD})
    back = org["admin"].patch(url, {"is_active": True})
    worker.refresh_from_db()

    assert left.status_code == 200
    assert left.json()["is_active"] is False
    assert refused.status_code == 401
    assert back.status_code == 200
    assert worker.is_active is True
    account_logs = UserActivityLog.objects.filter(resource="access_control", action="update")
    assert [log.changes["is_active"]["new"] for log in account_logs.order_by("id")] == [
        False,
        True,
    ]


def test_deleting_an_employee_with_history_is_409(org):
    overtime = make_overtime(employee=make_employee(department=org["own"]))
    blank = make_employee(department=org["own"])

    refused = org["superadmin"].delete(detail(overtime.employee))
    deleted = org["superadmin"].delete(detail(blank))

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "protected"
    assert Employee.objects.filter(pk=overtime.employee_id).exists()
    assert deleted.status_code == 204


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"email": "not-an-email"}, "email"),
        ({"employee_code": "TAKEN"}, "employee_code"),
        ({"department": 999999}, "department"),
    ],
)
def test_bad_input_is_400_naming_the_field(org, change, field):
    make_employee(employee_code="TAKEN", department=org["own"])

    response = org["superadmin"].post(URL, new_employee(org["own"]) | change)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_an_inactive_department_takes_no_one_new(org):
    closed = make_department(is_active=False)

    response = org["superadmin"].post(URL, new_employee(closed))

    assert response.status_code == 400
    assert "department" in response.json()["error"]["fields"]


def test_filters_and_search(org):
    make_employee(department=org["own"], position="Welder", last_name="Alpha", employee_code="A1")
    make_employee(department=org["own"], is_active=False, last_name="Beta", employee_code="B1")
    make_employee(department=org["other"], position="welder", last_name="Gamma")

    def codes(query: str) -> set[str]:
        rows = org["staff"].get(f"{URL}?{query}").json()["results"]
        return {row["employee_code"] for row in rows}

    own_people = {"A1", "B1", org["users"]["admin"].employee.employee_code}
    assert codes(f"department={org['own'].pk}") == own_people
    assert codes("department_code=own&is_active=false") == {"B1"}
    assert len(codes("position=WELDER")) == 2
    assert codes("search=alpha") == {"A1"}


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    org, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        make_employee(department=org["own"])
    client = org["superadmin"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    with django_assert_max_num_queries(2) as captured:
        response = client.get(f"{URL}?page_size={page_size}")

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2
