"""/api/v1/projects/: readable by all; department admins run their department's projects."""

from datetime import date

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.org.models import Project
from tests.factories import make_department, make_overtime, make_project, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/projects/"


@pytest.fixture
def org(client_for):
    own, other = make_department(code="OWN"), make_department(code="OTHER")
    people = {
        "admin": make_user(Role.PTB_ADMIN, department=own),
        "superadmin": make_user(Role.SUPERADMIN, with_employee=False),
        "reader": make_user(Role.USER, department=other),
    }
    return {name: client_for(user) for name, user in people.items()} | {
        "own": own,
        "other": other,
    }


def detail(project) -> str:
    return f"{URL}{project.pk}/"


def test_everyone_reads_projects_with_their_department(org):
    project = make_project(department=org["own"], start_date=date(2026, 1, 1))

    body = org["reader"].get(detail(project)).json()

    assert body["department"]["code"] == "OWN"
    assert body["start_date"] == "2026-01-01"
    assert body["end_date"] is None


def test_department_admin_creates_projects_for_their_department_with_a_normalised_code(org):
    response = org["admin"].post(URL, {"code": " prj-x ", "name": "X", "department": org["own"].pk})

    assert response.status_code == 201, response.content
    assert response.json()["code"] == "PRJ-X"
    assert UserActivityLog.objects.get(action="create", resource="projects").changes["code"] == (
        "PRJ-X"
    )


@pytest.mark.parametrize("department", ["other", None])
def test_department_admin_cannot_create_projects_elsewhere_or_company_wide(org, department):
    payload = {"code": "P", "name": "P", "department": org[department].pk if department else None}

    response = org["admin"].post(URL, payload)

    assert response.status_code == 403
    assert not Project.objects.exists()


def test_department_admin_changes_and_deletes_only_their_own_projects(org):
    mine = make_project(department=org["own"])
    theirs = make_project(department=org["other"])
    company_wide = make_project()

    assert org["admin"].patch(detail(mine), {"name": "Mine"}).status_code == 200
    assert org["admin"].patch(detail(theirs), {"name": "Mine"}).status_code == 403
    assert org["admin"].patch(detail(company_wide), {"name": "Mine"}).status_code == 403
    assert org["admin"].patch(detail(mine), {"department": org["other"].pk}).status_code == 403
    assert org["admin"].delete(detail(theirs)).status_code == 403
    assert org["admin"].delete(detail(mine)).status_code == 204


def test_superadmin_manages_company_wide_projects(org):
    response = org["superadmin"].post(URL, {"code": "ALL", "name": "Everyone", "department": None})

    assert response.status_code == 201
    assert response.json()["department"] is None


def test_readers_cannot_write(org):
    assert org["reader"].post(URL, {"code": "R", "name": "R"}).status_code == 403


def test_an_end_before_the_start_is_400_naming_end_date(org):
    project = make_project(department=org["own"], start_date=date(2026, 5, 1))

    created = org["admin"].post(
        URL,
        {
            "code": "D",
            "name": "D",
            "department": org["own"].pk,
            "start_date": "2026-05-02",
            "end_date": "2026-05-01",
        },
    )
    patched = org["admin"].patch(detail(project), {"end_date": "2026-04-30"})

    assert created.status_code == 400
    assert "end_date" in created.json()["error"]["fields"]
    assert patched.status_code == 400
    assert "end_date" in patched.json()["error"]["fields"]


def test_a_project_with_booked_overtime_is_not_deleted(org):
    project = make_project(department=org["own"])
    make_overtime(project=project)

    response = org["superadmin"].delete(detail(project))

    assert response.status_code == 409
    assert Project.objects.filter(pk=project.pk).exists()


def test_filters_by_date_department_and_search(org):
    make_project(code="OPEN", department=org["own"])
    make_project(code="PAST", start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    make_project(code="NOW", start_date=date(2026, 3, 1), end_date=date(2026, 9, 30))
    make_project(code="LATER", name="Moonshot", start_date=date(2027, 1, 1), is_active=False)

    def codes(query: str) -> list[str]:
        return [row["code"] for row in org["reader"].get(f"{URL}?{query}").json()["results"]]

    assert codes("active_on=2026-06-15") == ["NOW", "OPEN"]
    assert codes(f"department={org['own'].pk}") == ["OPEN"]
    assert codes("start_date_from=2026-01-01") == ["LATER", "NOW"]
    assert codes("end_date_to=2026-01-01") == ["PAST"]
    assert codes("is_active=false") == ["LATER"]
    assert codes("search=moon") == ["LATER"]
    assert codes("ordering=-start_date&start_date_from=2025-01-01") == ["LATER", "NOW", "PAST"]


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    org, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        make_project(department=make_department())
    client = org["superadmin"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    with django_assert_max_num_queries(2) as captured:
        response = client.get(f"{URL}?page_size={page_size}")

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2
