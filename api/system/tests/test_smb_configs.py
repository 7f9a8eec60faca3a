"""/api/v1/smb-configs/: the password is write-only and never leaves the server;
one configuration at most is active."""

import json
import logging

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.system.models import SMBConfiguration
from api.system.tests.factories import make_smb_config
from tests.factories import make_user
from tests.samba import samba_configuration, smb_configuration

pytestmark = pytest.mark.django_db

URL = "/api/v1/smb-configs/"
SECRET = "Sh4re-Pa55word-XYZ"


@pytest.fixture
def admin(client_for):
    return client_for(make_user(Role.SUPERADMIN))


def payload(**fields):
    return {
        "name": "Reports share",
        "server": "files.example.com",
        "share_name": "reports",
        "username": "svc-reports",
        "password": SECRET,
        **fields,
    }


def test_password_never_appears_in_responses_audit_or_logs(admin, caplog):
    caplog.set_level(logging.DEBUG)
    responses = []

    created = admin.post(URL, payload(), format="json")
    config_id = created.json()["id"]
    url = f"{URL}{config_id}/"
    responses += [created, admin.get(URL), admin.get(url)]
    responses.append(admin.patch(url, {"password": SECRET + "2", "port": 1445}, format="json"))
    responses.append(admin.put(url, payload(password=SECRET + "3"), format="json"))
    responses.append(admin.patch(url, {"password": ""}, format="json"))
    responses.append(admin.delete(url))

    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200, 200, 204]
    for response in responses:
        assert SECRET not in response.content.decode()
        assert "password_encrypted" not in response.content.decode()
    audit = json.dumps(list(UserActivityLog.objects.values_list("changes", flat=True)))
    assert SECRET not in audit
    assert "[REDACTED]" in audit
    assert SECRET not in caplog.text


def test_password_is_stored_encrypted_and_reported_as_present(admin):
    body = admin.post(URL, payload(), format="json").json()

    config = SMBConfiguration.objects.get(pk=body["id"])
    assert body["has_password"] is True
    assert "password" not in body
    assert config.password_encrypted
    assert SECRET not in config.password_encrypted
    assert config.get_password() == SECRET


def test_update_without_password_keeps_it_and_empty_string_clears_it(admin):
    config = make_smb_config(password=SECRET)
    url = f"{URL}{config.pk}/"

    kept = admin.patch(url, {"server": "files2.example.com"}, format="json").json()
    config.refresh_from_db()
    assert kept["has_password"] is True
    assert config.get_password() == SECRET

    cleared = admin.patch(url, {"password": ""}, format="json").json()
    config.refresh_from_db()
    assert cleared["has_password"] is False
    assert config.password_encrypted == ""
    log = UserActivityLog.objects.filter(object_id=str(config.pk)).order_by("id").last()
    assert log.changes == {"password": {"old": "[REDACTED]", "new": ""}}


def test_activating_one_deactivates_the_previous_one(admin):
    previous = make_smb_config(is_active=True)
    other = make_smb_config()

    response = admin.patch(f"{URL}{other.pk}/", {"is_active": True}, format="json")

    assert response.status_code == 200, response.content
    previous.refresh_from_db()
    assert previous.is_active is False
    assert list(SMBConfiguration.objects.filter(is_active=True)) == [other]
    handover = UserActivityLog.objects.get(object_id=str(previous.pk))
    assert handover.changes == {"is_active": {"old": True, "new": False}}


def test_creating_an_active_configuration_takes_over(admin):
    previous = make_smb_config(is_active=True)

    created = admin.post(URL, payload(is_active=True), format="json")

    assert created.status_code == 201
    assert SMBConfiguration.objects.filter(is_active=True).get().pk == created.json()["id"]
    previous.refresh_from_db()
    assert previous.is_active is False


def test_encryption_needs_the_smbprotocol_client(admin):
    refused = admin.post(URL, payload(require_encryption=True, client="pysmb"), format="json")
    accepted = admin.post(
        URL, payload(require_encryption=True, client="smbprotocol"), format="json"
    )
    switched_back = admin.patch(
        f"{URL}{accepted.json()['id']}/", {"client": "pysmb"}, format="json"
    )

    assert refused.status_code == 400
    assert "client" in refused.json()["error"]["fields"]
    assert accepted.status_code == 201
    assert switched_back.status_code == 400
    assert "client" in switched_back.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("field", "value"), [("port", 0), ("port", 70000), ("timeout_seconds", 0), ("client", "x")]
)
def test_bad_values_are_400s_naming_the_field(admin, field, value):
    response = admin.post(URL, payload(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_test_results_are_read_only(admin):
    config = make_smb_config()

    admin.patch(f"{URL}{config.pk}/", {"last_test_result": {"ok": True}}, format="json")

    config.refresh_from_db()
    assert config.last_test_result == {}


@pytest.mark.parametrize("role", [Role.PTB_ADMIN, Role.STAFF])
def test_other_roles_have_no_access(client_for, role):
    assert client_for(make_user(role)).get(URL).status_code == 403


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    admin, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        make_smb_config(password=SECRET)
    admin.get(URL)

    with django_assert_max_num_queries(2) as captured:
        response = admin.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2


# --------------------------------------------------------------------------- test-connection

TEST_URL = "/api/v1/smb-configs/{}/test-connection/"


@pytest.mark.django_db
def test_api_test_connection_checks_the_share_and_records_the_result(samba, client_for, settings):
    config = samba_configuration(samba)
    superadmin = make_user(Role.SUPERADMIN)

    response = client_for(superadmin).post(TEST_URL.format(config.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["connect"], body["list"], body["write"]) == (True, True, True), body
    assert samba.password not in response.content.decode()
    config.refresh_from_db()
    assert config.last_tested_at is not None
    assert config.last_test_result == body
    audit = UserActivityLog.objects.get(action="test", object_id=str(config.pk))
    assert audit.user == superadmin
    assert audit.changes == {"result": body}


@pytest.mark.django_db
def test_api_test_connection_needs_the_right_to_change_smb_configs(client_for):
    config = smb_configuration(password="irrelevant")

    response = client_for(make_user(Role.USER)).post(TEST_URL.format(config.pk))

    assert response.status_code == 403
    config.refresh_from_db()
    assert config.last_tested_at is None
    assert not UserActivityLog.objects.filter(action="test").exists()
