import pytest
from django.core.exceptions import ValidationError

from api.accounts.models import UserPermissionOverride
from api.system.models import SMBConfiguration, SystemConfiguration
from tests.db import rejected_by_database
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def make_smb(**fields):
    fields.setdefault("name", f"share-{SMBConfiguration.objects.count()}")
    fields.setdefault("server", "fileserver")
    fields.setdefault("share_name", "Reports")
    return SMBConfiguration.objects.create(**fields)


def test_only_one_smb_configuration_can_be_active():
    make_smb(is_active=True)
    make_smb(is_active=False)
    with rejected_by_database():
        make_smb(is_active=True)


def test_encrypted_share_with_pysmb_is_refused():
    with rejected_by_database():
        make_smb(require_encryption=True, client="pysmb")
    assert make_smb(require_encryption=True, client="smbprotocol").pk


def test_smb_port_must_be_a_tcp_port():
    with rejected_by_database():
        make_smb(port=70000)


def test_smb_password_is_stored_encrypted_and_reads_back():
    config = SMBConfiguration(name="x", server="s", share_name="r")
    config.set_password("Sup3r-secret")
    config.save()

    stored = SMBConfiguration.objects.values_list("password_encrypted", flat=True).get()
    assert "Sup3r-secret" not in stored
    assert SMBConfiguration.objects.get().get_password() == "Sup3r-secret"


def test_configuration_value_must_match_its_type():
    entry = SystemConfiguration(key="retries", value="three", value_type="integer")
    with pytest.raises(ValidationError) as excinfo:
        entry.full_clean()
    assert "value" in excinfo.value.message_dict
    assert SystemConfiguration(key="on", value="yes", value_type="boolean").typed_value is True


def test_duplicate_override_for_one_user_resource_action_is_refused():
    user = make_user()
    UserPermissionOverride.objects.create(
        user=user, resource="assets", action="create", allowed=True
    )
    with rejected_by_database():
        UserPermissionOverride.objects.create(
            user=user, resource="assets", action="create", allowed=False
        )
