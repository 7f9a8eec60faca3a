"""Every /api/v1 resource x every role x list/retrieve/create/update/delete/approve.

The expected answer comes from the role matrix (api/accounts/roles.py): an action
the role may not do is a 403 before anything else happens; an action it may do is
never a 403 (it may be a 404 for the made-up id, a 400 for the empty body...). The
resources are read from the router itself, so a new endpoint cannot escape the matrix.
"""

from __future__ import annotations

import pytest

from api.accounts.roles import DEFAULT_PERMISSIONS, Action, Role
from api.urls import v1_router
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MISSING_ID = 987654321

# (permission action, viewset method that must exist, HTTP method, detail?, suffix)
ACTIONS = (
    (Action.VIEW, "list", "get", False, ""),
    (Action.VIEW, "retrieve", "get", True, ""),
    (Action.CREATE, "create", "post", False, ""),
    (Action.CHANGE, "partial_update", "patch", True, ""),
    (Action.DELETE, "destroy", "delete", True, ""),
    (Action.APPROVE, "approve", "post", True, "approve/"),
)

# Extra actions whose permission each viewset declares in `permission_actions`:
# (method, HTTP method, detail?, suffix); checked wherever a viewset has them.
EXTRA_ACTIONS = (
    ("export", "post", False, "export/"),
    ("download", "get", True, "download/"),
    ("retry", "post", True, "retry/"),
    ("test_connection", "post", True, "test-connection/"),
)

ROUTES = [(prefix, viewset) for prefix, viewset, _ in v1_router.registry]


def actions_of(viewset):
    yield from ACTIONS
    declared = getattr(viewset, "permission_actions", {})
    for method_name, http_method, detail, suffix in EXTRA_ACTIONS:
        if method_name in declared:
            yield declared[method_name], method_name, http_method, detail, suffix


def supported(viewset, method_name: str) -> bool:
    return callable(getattr(viewset, method_name, None))


def call(client, prefix: str, http_method: str, detail: bool, suffix: str):
    url = f"/api/v1/{prefix}/" + (f"{MISSING_ID}/" if detail else "") + suffix
    return getattr(client, http_method)(url, {}, format="json")


def test_every_route_names_its_resource():
    for prefix, viewset in ROUTES:
        resource = getattr(viewset, "resource", None)
        assert resource, f"/api/v1/{prefix}/ has no `resource`"
        for role in Role:
            assert isinstance(DEFAULT_PERMISSIONS[role].get(resource, frozenset()), frozenset)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[prefix for prefix, _ in ROUTES])
def test_role_can_do_exactly_what_the_matrix_says(client_for, role, prefix, viewset):
    client = client_for(make_user(role))
    allowed_actions = DEFAULT_PERMISSIONS[role].get(viewset.resource, frozenset())
    mismatches = []
    for permission, method_name, http_method, detail, suffix in actions_of(viewset):
        if not supported(viewset, method_name):
            continue
        response = call(client, prefix, http_method, detail, suffix)
        allowed = permission in allowed_actions
        if allowed and response.status_code in (401, 403):
            mismatches.append(f"{method_name}: allowed but got {response.status_code}")
        if not allowed:
            if response.status_code != 403:
                mismatches.append(f"{method_name}: forbidden but got {response.status_code}")
            elif response.json()["error"]["code"] != "permission_denied":
                mismatches.append(f"{method_name}: 403 without the error shape")
        if response.status_code >= 500:
            mismatches.append(f"{method_name}: server error {response.status_code}")
    assert not mismatches, f"{role} on /api/v1/{prefix}/: {mismatches}"


@pytest.mark.parametrize(("prefix", "viewset"), ROUTES, ids=[prefix for prefix, _ in ROUTES])
def test_anonymous_requests_are_401_everywhere(api_client, prefix, viewset):
    for _, method_name, http_method, detail, suffix in actions_of(viewset):
        if supported(viewset, method_name):
            response = call(api_client, prefix, http_method, detail, suffix)
            assert response.status_code == 401, (method_name, response.status_code)
            assert response["WWW-Authenticate"].startswith("Bearer")
