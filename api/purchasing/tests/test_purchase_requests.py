"""The purchase request life cycle through the API: who may do what, in which state,
what is recorded, who is told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.notifications.models import Notification, NotificationKind
from api.purchasing.models import PurchaseRequest, PurchaseStatus
from api.purchasing.tests.factories import make_purchase_request
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/purchase-requests/"
ITEMS = [
    {"name": "Laptop", "quantity": 2, "unit_price": "1250.00"},
    {"name": "Dock", "quantity": "1", "unit_price": "199.99", "note": "USB-C"},
]


@pytest.fixture
def team(client_for):
    """A requester, their department admin, an admin elsewhere and a superadmin."""
    department = make_department(code="IT")
    people = {
        "requester": make_user(Role.STAFF, department=department),
        "admin": make_user(Role.PTB_ADMIN, department=department),
        "other_admin": make_user(Role.PTB_ADMIN),
        "superadmin": make_user(Role.SUPERADMIN),
        "reader": make_user(Role.USER, department=department),
    }
    clients = {name: client_for(user) for name, user in people.items()}
    return clients | {"users": people, "department": department}


def create(client, **extra):
    response = client.post(URL, {"title": "Developer laptops", "items": ITEMS, **extra}, "json")
    assert response.status_code == 201, response.content
    return response.json()


def act(client, purchase_id, action, **body):
    return client.post(f"{URL}{purchase_id}/{action}/", body, format="json")


def ids(client, query="") -> list[int]:
    response = client.get(f"{URL}{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_draft_gets_a_number_a_total_and_the_requesters_department(team, settings):
    purchase = create(team["requester"])

    assert purchase["number"] == f"PR-{timezone.localdate().year}-0001"
    assert purchase["status"] == PurchaseStatus.DRAFT
    assert purchase["total_amount"] == "2699.99"
    assert purchase["currency"] == settings.DEFAULT_CURRENCY
    assert purchase["requester"]["id"] == team["users"]["requester"].pk
    assert purchase["department"]["id"] == team["department"].pk
    assert purchase["items"][0] == {
        "name": "Laptop",
        "quantity": "2.000",
        "unit_price": "1250.00",
        "note": "",
    }


def test_number_total_requester_and_status_are_refused_from_the_client(team):
    other = team["users"]["other_admin"]
    imposed = {
        "number": "PR-1999-0001",
        "total_amount": "1.00",
        "requester": other.pk,
        "department": other.employee.department_id,
        "status": "approved",
    }

    refused = team["requester"].post(URL, {"title": "x", "items": ITEMS, **imposed}, "json")
    purchase = create(team["requester"])

    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == set(imposed)
    assert purchase["number"].startswith(f"PR-{timezone.localdate().year}-")
    assert purchase["total_amount"] == "2699.99"
    assert purchase["requester"]["id"] == team["users"]["requester"].pk
    assert purchase["department"]["id"] == team["department"].pk
    assert purchase["status"] == PurchaseStatus.DRAFT


def test_creation_is_audited_with_items_and_total(team):
    purchase = create(team["requester"])

    log = UserActivityLog.objects.get(resource="purchase_requests", action="create")
    assert log.object_id == str(purchase["id"])
    assert log.changes["total_amount"] == "2699.99"
    assert log.changes["items"][1]["unit_price"] == "199.99"
    assert log.department_id == team["department"].pk


def test_an_account_without_department_cannot_request(client_for):
    response = client_for(make_user(Role.STAFF, with_employee=False)).post(
        URL, {"title": "x", "items": ITEMS}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_department"
    assert not PurchaseRequest.objects.exists()


def test_submit_tells_the_department_admins_only(team):
    purchase = create(team["requester"])

    submitted = act(team["requester"], purchase["id"], "submit")

    assert submitted.status_code == 200
    assert submitted.json()["status"] == PurchaseStatus.SUBMITTED
    note = Notification.objects.get()
    assert note.recipient == team["users"]["admin"]
    assert note.kind == NotificationKind.PURCHASE_SUBMITTED
    assert purchase["number"] in note.title
    assert note.data["resource"] == "purchase_requests"


def test_only_the_requester_submits_or_cancels(team):
    purchase = create(team["requester"])

    assert act(team["admin"], purchase["id"], "submit").status_code == 403
    assert act(team["admin"], purchase["id"], "cancel").status_code == 403


def test_approval_records_who_when_why_and_tells_the_requester(team):
    purchase = create(team["requester"])
    act(team["requester"], purchase["id"], "submit")

    approved = act(team["admin"], purchase["id"], "approve", note="Within budget").json()

    assert approved["status"] == PurchaseStatus.APPROVED
    assert approved["decided_by"]["id"] == team["users"]["admin"].pk
    assert approved["decided_at"]
    assert approved["decision_note"] == "Within budget"
    note = Notification.objects.get(kind=NotificationKind.PURCHASE_DECIDED)
    assert note.recipient == team["users"]["requester"]
    assert note.data["status"] == "approved"
    log = UserActivityLog.objects.get(resource="purchase_requests", action="approve")
    assert log.changes["status"] == {"old": "submitted", "new": "approved"}
    assert log.changes["decision_note"] == {"old": "", "new": "Within budget"}


def test_rejection_needs_a_reason_which_is_kept_and_told(team):
    purchase = create(team["requester"])
    act(team["requester"], purchase["id"], "submit")

    no_reason = act(team["admin"], purchase["id"], "reject", reason="  ")
    rejected = act(team["admin"], purchase["id"], "reject", reason="Reuse old stock").json()

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    assert rejected["status"] == PurchaseStatus.REJECTED
    assert rejected["decision_note"] == "Reuse old stock"
    assert Notification.objects.get(kind=NotificationKind.PURCHASE_DECIDED).message == (
        "Reuse old stock"
    )


def test_nobody_decides_their_own_request(team):
    purchase = create(team["admin"])
    act(team["admin"], purchase["id"], "submit")

    assert act(team["admin"], purchase["id"], "approve").status_code == 403
    assert act(team["superadmin"], purchase["id"], "approve").status_code == 200


def test_staff_cannot_decide_and_other_departments_do_not_see(team):
    purchase = create(team["requester"])
    act(team["requester"], purchase["id"], "submit")

    assert act(team["requester"], purchase["id"], "approve").status_code == 403
    assert act(team["other_admin"], purchase["id"], "approve").status_code == 404


def test_approved_requests_are_ordered_then_received_and_the_requester_is_told(team):
    purchase = create(team["requester"])
    act(team["requester"], purchase["id"], "submit")
    act(team["admin"], purchase["id"], "approve")

    by_staff = act(team["requester"], purchase["id"], "mark-ordered")
    ordered = act(team["admin"], purchase["id"], "mark-ordered")
    received = act(team["superadmin"], purchase["id"], "mark-received")

    assert by_staff.status_code == 403
    assert ordered.json()["status"] == PurchaseStatus.ORDERED
    assert received.json()["status"] == PurchaseStatus.RECEIVED
    statuses = list(
        Notification.objects.filter(
            recipient=team["users"]["requester"], kind=NotificationKind.PURCHASE_DECIDED
        )
        .order_by("id")
        .values_list("data__status", flat=True)
    )
    assert statuses == ["approved", "ordered", "received"]
    actions = UserActivityLog.objects.filter(object_id=str(purchase["id"])).values_list(
        "action", flat=True
    )
    assert list(actions.order_by("id")) == [
        "create",
        "submit",
        "approve",
        "mark_ordered",
        "mark_received",
    ]


def test_a_department_admin_records_the_order_of_their_own_approved_request(team):
    purchase = make_purchase_request(requester=team["users"]["admin"], status="approved")

    assert act(team["admin"], purchase.pk, "mark-ordered").status_code == 200


@pytest.mark.parametrize("status", [PurchaseStatus.DRAFT, PurchaseStatus.SUBMITTED])
def test_the_requester_cancels_before_a_decision(team, status):
    purchase = make_purchase_request(requester=team["users"]["requester"], status=status)

    cancelled = act(team["requester"], purchase.pk, "cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == PurchaseStatus.CANCELLED
    told = Notification.objects.filter(recipient=team["users"]["admin"]).exists()
    assert told is (status == PurchaseStatus.SUBMITTED)


@pytest.mark.parametrize(
    ("status", "action", "by"),
    [
        (PurchaseStatus.SUBMITTED, "submit", "requester"),
        (PurchaseStatus.DRAFT, "approve", "admin"),
        (PurchaseStatus.APPROVED, "approve", "admin"),
        (PurchaseStatus.APPROVED, "reject", "admin"),
        (PurchaseStatus.SUBMITTED, "mark-ordered", "admin"),
        (PurchaseStatus.APPROVED, "mark-received", "admin"),
        (PurchaseStatus.RECEIVED, "mark-ordered", "admin"),
        (PurchaseStatus.APPROVED, "cancel", "requester"),
        (PurchaseStatus.ORDERED, "cancel", "requester"),
        (PurchaseStatus.CANCELLED, "submit", "requester"),
        (PurchaseStatus.REJECTED, "approve", "admin"),
    ],
)
def test_illegal_transitions_are_409_saying_the_current_state(team, status, action, by):
    purchase = make_purchase_request(requester=team["users"]["requester"], status=status)

    response = act(team[by], purchase.pk, action, **({"reason": "x"} if action == "reject" else {}))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["current_status"] == status
    assert status in error["message"]


def test_drafts_are_editable_and_deletable_then_frozen(team):
    purchase = create(team["requester"])
    url = f"{URL}{purchase['id']}/"

    edited = team["requester"].patch(
        url, {"items": [{"name": "Monitor", "quantity": 3, "unit_price": "300.10"}]}, "json"
    )
    act(team["requester"], purchase["id"], "submit")
    frozen = team["requester"].patch(url, {"title": "changed"}, format="json")
    undeletable = team["requester"].delete(url)

    assert edited.status_code == 200, edited.content
    assert edited.json()["total_amount"] == "900.30"
    assert frozen.status_code == 409
    assert frozen.json()["error"]["current_status"] == "submitted"
    assert undeletable.status_code == 409
    draft = create(team["requester"])
    assert team["requester"].delete(f"{URL}{draft['id']}/").status_code == 204


def test_edits_are_audited_with_item_and_total_diffs(team):
    purchase = create(team["requester"])

    team["requester"].patch(
        f"{URL}{purchase['id']}/",
        {"title": "Laptops", "items": [{"name": "Laptop", "quantity": 1, "unit_price": "1250"}]},
        format="json",
    )

    log = UserActivityLog.objects.get(resource="purchase_requests", action="update")
    assert log.changes["title"] == {"old": "Developer laptops", "new": "Laptops"}
    assert log.changes["total_amount"] == {"old": "2699.99", "new": "1250.00"}
    assert len(log.changes["items"]["new"]) == 1


def test_only_the_requester_or_a_global_admin_edits_a_draft(team):
    purchase = create(team["requester"])
    url = f"{URL}{purchase['id']}/"

    assert team["admin"].patch(url, {"title": "x"}, format="json").status_code == 403
    assert team["superadmin"].patch(url, {"title": "y"}, format="json").status_code == 200


def test_visibility_own_department_everything(team):
    mine = create(team["requester"])
    elsewhere = make_purchase_request(requester=team["users"]["other_admin"])

    assert ids(team["requester"]) == [mine["id"]]
    assert ids(team["admin"]) == [mine["id"]]
    assert ids(team["other_admin"]) == [elsewhere.pk]
    assert set(ids(team["superadmin"])) == {mine["id"], elsewhere.pk}
    assert ids(team["reader"]) == []


def test_filters_search_and_ordering(team):
    requester = team["users"]["requester"]
    soon = timezone.localdate() + timedelta(days=3)
    cheap = make_purchase_request(
        requester=requester, title="Cables", total_amount=Decimal("5"), needed_by=soon
    )
    dear = make_purchase_request(
        requester=requester, title="Server", total_amount=Decimal("9000"), status="submitted"
    )
    gone = make_purchase_request(requester=requester, title="Desk", status="cancelled")
    elsewhere = make_purchase_request(title="Chairs")
    admin = team["superadmin"]
    today = timezone.localdate().isoformat()

    assert set(ids(admin, "?status=submitted&status=cancelled")) == {dear.pk, gone.pk}
    assert set(ids(admin, f"?department={team['department'].pk}")) == {cheap.pk, dear.pk, gone.pk}
    assert ids(admin, f"?requester={elsewhere.requester_id}") == [elsewhere.pk]
    assert ids(admin, f"?needed_by_from={soon}&needed_by_to={soon}") == [cheap.pk]
    assert len(ids(admin, f"?created_at_from={today}&created_at_to={today}")) == 4
    assert ids(admin, "?created_at_to=2000-01-01") == []
    assert ids(admin, "?search=serv") == [dear.pk]
    assert ids(admin, f"?search={cheap.number}") == [cheap.pk]
    assert ids(admin, "?ordering=-total_amount&status=draft&status=submitted")[0] == dear.pk


def test_list_query_count_does_not_depend_on_page_size(team, django_assert_max_num_queries):
    for _ in range(60):
        make_purchase_request(
            requester=team["users"]["requester"],
            status=PurchaseStatus.APPROVED,
            decided_by=team["users"]["admin"],
        )
    client = team["admin"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    counts = {}
    for size in (1, 50):
        # user + own department + count + page
        with django_assert_max_num_queries(5) as captured:
            response = client.get(f"{URL}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(captured.captured_queries)

    assert counts[1] == counts[50]
