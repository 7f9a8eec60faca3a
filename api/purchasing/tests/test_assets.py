"""Assets through the API: custody rules, department scope, links to purchases."""

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.notifications.models import Notification
from api.purchasing.models import Asset, AssetStatus, PurchaseStatus
from api.purchasing.tests.factories import make_asset, make_purchase_request
from tests.factories import make_department, make_employee, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"


@pytest.fixture
def org(client_for):
    """An IT department (admin, staff, read-only user), a sales admin, a superadmin."""
    it, sales = make_department(code="IT"), make_department(code="SALES")
    people = {
        "admin": make_user(Role.PTB_ADMIN, department=it),
        "staff": make_user(Role.STAFF, department=it),
        "reader": make_user(Role.USER, department=it),
        "sales_admin": make_user(Role.PTB_ADMIN, department=sales),
        "superadmin": make_user(Role.SUPERADMIN),
    }
    clients = {name: client_for(user) for name, user in people.items()}
    return clients | {"users": people, "it": it, "sales": sales}


def create(client, **fields):
    response = client.post(URL, {"asset_tag": "LT-001", "name": "ThinkPad", **fields}, "json")
    assert response.status_code == 201, response.content
    return response.json()


def fields_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def ids(client, query="") -> list[int]:
    response = client.get(f"{URL}{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_an_admins_new_asset_belongs_to_their_department_and_is_audited(org):
    asset = create(org["admin"], serial_number="SN-1", purchase_cost="1299.50")

    assert asset["department"]["id"] == org["it"].pk
    assert asset["status"] == AssetStatus.IN_STOCK
    log = UserActivityLog.objects.get(resource="assets", action="create")
    assert log.changes["asset_tag"] == "LT-001"
    assert log.changes["purchase_cost"] == "1299.50"


def test_status_assigned_without_a_holder_is_400_naming_assigned_to(org):
    response = org["admin"].post(
        URL, {"asset_tag": "LT-1", "name": "x", "status": "assigned"}, format="json"
    )

    assert "assigned_to" in fields_of(response)
    assert not Asset.objects.exists()


def test_giving_an_asset_to_someone_assigns_it_and_tells_them(org):
    holder = org["users"]["staff"]
    asset = create(org["admin"])

    response = org["admin"].patch(
        f"{URL}{asset['id']}/", {"assigned_to": holder.employee.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == AssetStatus.ASSIGNED
    assert response.json()["assigned_to"]["id"] == holder.employee.pk
    note = Notification.objects.get()
    assert note.recipient == holder
    assert "LT-001" in note.title
    log = UserActivityLog.objects.get(resource="assets", action="update")
    assert log.changes["status"] == {"old": "in_stock", "new": "assigned"}
    assert log.changes["assigned_to"] == {"old": None, "new": holder.employee.pk}


def test_assigning_an_asset_without_department_gives_it_the_holders(org):
    holder = make_employee(department=org["sales"])

    asset = create(org["superadmin"], assigned_to=holder.pk)

    assert asset["department"]["id"] == org["sales"].pk
    assert asset["status"] == AssetStatus.ASSIGNED


def test_taking_an_asset_back_returns_it_to_stock(org):
    asset = make_asset(
        department=org["it"], assigned_to=org["users"]["staff"].employee, status="assigned"
    )

    response = org["admin"].patch(f"{URL}{asset.pk}/", {"assigned_to": None}, format="json")

    assert response.json()["status"] == AssetStatus.IN_STOCK
    assert response.json()["assigned_to"] is None


@pytest.mark.parametrize("status", [AssetStatus.RETIRED, AssetStatus.LOST, "maintenance"])
def test_taking_back_a_retired_lost_or_serviced_asset_keeps_its_status(org, status):
    asset = make_asset(
        department=org["it"], assigned_to=org["users"]["staff"].employee, status=status
    )

    response = org["admin"].patch(f"{URL}{asset.pk}/", {"assigned_to": None}, format="json")

    assert response.json()["status"] == status


def test_an_asset_someone_holds_cannot_be_declared_in_stock(org):
    response = org["admin"].post(
        URL,
        {
            "asset_tag": "LT-2",
            "name": "x",
            "status": "in_stock",
            "assigned_to": org["users"]["staff"].employee.pk,
        },
        format="json",
    )

    assert "status" in fields_of(response)


def test_admins_manage_only_their_own_departments_assets(org):
    outsider = make_employee(department=org["sales"])
    foreign = make_asset(department=org["sales"])

    elsewhere = org["admin"].post(
        URL, {"asset_tag": "X-1", "name": "x", "department": org["sales"].pk}, format="json"
    )
    to_outsider = org["admin"].post(
        URL, {"asset_tag": "X-2", "name": "x", "assigned_to": outsider.pk}, format="json"
    )

    assert "department" in fields_of(elsewhere)
    assert "assigned_to" in fields_of(to_outsider)
    assert org["admin"].patch(f"{URL}{foreign.pk}/", {"name": "y"}, "json").status_code == 404


def test_staff_cannot_create_and_admins_cannot_delete(org):
    asset = make_asset(department=org["it"])

    assert org["staff"].post(URL, {"asset_tag": "S", "name": "x"}, "json").status_code == 403
    assert org["admin"].delete(f"{URL}{asset.pk}/").status_code == 403
    assert org["superadmin"].delete(f"{URL}{asset.pk}/").status_code == 204
    assert UserActivityLog.objects.filter(resource="assets", action="delete").exists()


@pytest.mark.parametrize("status", [PurchaseStatus.ORDERED, PurchaseStatus.RECEIVED])
def test_an_asset_links_to_an_ordered_or_received_purchase(org, status):
    purchase = make_purchase_request(requester=org["users"]["staff"], status=status)

    asset = create(org["admin"], purchase_request=purchase.pk)

    assert asset["purchase_request"] == {
        "id": purchase.pk,
        "number": purchase.number,
        "title": purchase.title,
        "status": status,
    }


@pytest.mark.parametrize("status", [PurchaseStatus.APPROVED, PurchaseStatus.DRAFT])
def test_linking_a_purchase_not_yet_ordered_is_400(org, status):
    purchase = make_purchase_request(requester=org["users"]["staff"], status=status)

    response = org["admin"].post(
        URL, {"asset_tag": "L", "name": "x", "purchase_request": purchase.pk}, format="json"
    )

    assert "purchase_request" in fields_of(response)


def test_linking_a_purchase_of_another_department_is_400_for_an_admin(org):
    purchase = make_purchase_request(requester=org["users"]["sales_admin"], status="received")

    response = org["admin"].post(
        URL, {"asset_tag": "L", "name": "x", "purchase_request": purchase.pk}, format="json"
    )

    assert "purchase_request" in fields_of(response)


def test_tags_and_serial_numbers_are_unique_but_blank_serials_are_not(org):
    make_asset(asset_tag="LT-001", serial_number="SN-1", department=org["it"])

    same_tag = org["admin"].post(URL, {"asset_tag": "LT-001", "name": "x"}, format="json")
    same_serial = org["admin"].post(
        URL, {"asset_tag": "LT-002", "name": "x", "serial_number": "SN-1"}, format="json"
    )
    create(org["admin"], asset_tag="LT-003")
    create(org["admin"], asset_tag="LT-004")

    assert "asset_tag" in fields_of(same_tag)
    assert "serial_number" in fields_of(same_serial)


def test_editing_an_asset_keeps_its_own_tag_and_serial(org):
    asset = make_asset(asset_tag="LT-9", serial_number="SN-9", department=org["it"])

    response = org["admin"].patch(
        f"{URL}{asset.pk}/", {"asset_tag": "LT-9", "serial_number": "SN-9", "name": "New"}, "json"
    )

    assert response.status_code == 200, response.content


def test_cost_and_warranty_are_checked(org):
    negative = org["admin"].post(
        URL, {"asset_tag": "C", "name": "x", "purchase_cost": "-1"}, format="json"
    )
    warranty = org["admin"].post(
        URL,
        {
            "asset_tag": "W",
            "name": "x",
            "purchase_date": "2026-05-01",
            "warranty_until": "2026-04-30",
        },
        format="json",
    )

    assert "purchase_cost" in fields_of(negative)
    assert "warranty_until" in fields_of(warranty)


def test_visibility_department_holdings_and_everything(org):
    mine_by_department = make_asset(department=org["it"])
    held_elsewhere = make_asset(
        department=org["sales"], assigned_to=org["users"]["staff"].employee, status="assigned"
    )
    sales_only = make_asset(department=org["sales"])
    unowned = make_asset()

    assert set(ids(org["staff"])) == {mine_by_department.pk, held_elsewhere.pk}
    assert ids(org["reader"]) == [mine_by_department.pk]
    assert ids(org["admin"]) == [mine_by_department.pk]
    assert set(ids(org["sales_admin"])) == {held_elsewhere.pk, sales_only.pk}
    assert set(ids(org["superadmin"])) == {
        mine_by_department.pk,
        held_elsewhere.pk,
        sales_only.pk,
        unowned.pk,
    }


def test_filters_search_and_ordering(org):
    holder = org["users"]["staff"].employee
    laptop = make_asset(
        asset_tag="B-2",
        name="Laptop",
        category="Computers",
        serial_number="XYZ-77",
        department=org["it"],
        assigned_to=holder,
        status="assigned",
        purchase_date="2026-01-10",
    )
    phone = make_asset(
        asset_tag="A-1",
        name="Phone",
        category="Phones",
        department=org["sales"],
        purchase_date="2025-06-01",
    )
    admin = org["superadmin"]

    assert ids(admin) == [phone.pk, laptop.pk]  # by tag
    assert ids(admin, "?status=assigned") == [laptop.pk]
    assert ids(admin, f"?department={org['sales'].pk}") == [phone.pk]
    assert ids(admin, f"?assigned_to={holder.pk}") == [laptop.pk]
    assert ids(admin, "?unassigned=true") == [phone.pk]
    assert ids(admin, "?category=computers") == [laptop.pk]
    assert ids(admin, "?search=xyz-77") == [laptop.pk]
    assert ids(admin, "?search=phone") == [phone.pk]
    assert ids(admin, "?ordering=-purchase_date") == [laptop.pk, phone.pk]


def test_list_query_count_does_not_depend_on_page_size(org, django_assert_max_num_queries):
    purchase = make_purchase_request(requester=org["users"]["staff"], status="received")
    for _ in range(60):
        make_asset(
            department=org["it"],
            assigned_to=make_employee(department=org["it"]),
            status="assigned",
            purchase_request=purchase,
        )
    client = org["staff"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    counts = {}
    for size in (1, 50):
        # user + own department + count + page
        with django_assert_max_num_queries(5) as captured:
            response = client.get(f"{URL}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(captured.captured_queries)

    assert counts[1] == counts[50]
