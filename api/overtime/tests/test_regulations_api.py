"""Regulations and their documents through the API: validation, uploads, downloads."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.overtime.models import OvertimeRegulation, OvertimeRegulationDocument
from tests.factories import make_department, make_regulation, make_user

pytestmark = pytest.mark.django_db

REGULATIONS = "/api/v1/overtime-regulations/"
DOCUMENTS = "/api/v1/regulation-documents/"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def regulation_payload(**overrides):
    payload = {
        "name": "Night shift rule",
        "scope": "global",
        "max_hours_per_day": "4.00",
        "max_hours_per_week": "18.00",
        "max_hours_per_month": "60.00",
        "max_hours_per_year": "600.00",
        "second_approval_threshold_hours": "3.00",
        "effective_from": "2026-01-01",
    }
    return payload | overrides


def test_superadmin_creates_a_regulation_and_it_is_audited(client_for):
    response = client_for(make_user(Role.SUPERADMIN)).post(
        REGULATIONS, regulation_payload(), format="json"
    )

    assert response.status_code == 201, response.content
    regulation = OvertimeRegulation.objects.get(pk=response.json()["id"])
    assert regulation.max_hours_per_week == Decimal("18.00")
    log = UserActivityLog.objects.get(action="create", resource="overtime_regulations")
    assert log.changes["max_hours_per_day"] == "4.00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scope": "department"}, "department"),
        ({"max_hours_per_day": "8", "max_hours_per_week": "6"}, "max_hours_per_week"),
        ({"max_hours_per_day": "0"}, "max_hours_per_day"),
        ({"max_hours_per_day": "25"}, "max_hours_per_day"),
        ({"effective_to": "2025-12-31"}, "effective_to"),
        ({"max_hours_per_year": "abc"}, "max_hours_per_year"),
    ],
)
def test_invalid_regulations_are_400_naming_the_field(client_for, overrides, field):
    response = client_for(make_user(Role.SUPERADMIN)).post(
        REGULATIONS, regulation_payload(**overrides), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not OvertimeRegulation.objects.exists()


def test_global_regulation_naming_a_department_is_400(client_for):
    payload = regulation_payload(department=make_department().pk)

    response = client_for(make_user(Role.SUPERADMIN)).post(REGULATIONS, payload, format="json")

    assert response.status_code == 400
    assert "department" in response.json()["error"]["fields"]


def test_partial_update_is_checked_against_the_stored_values(client_for):
    regulation = make_regulation(max_hours_per_week=Decimal("18"))
    client = client_for(make_user(Role.SUPERADMIN))

    response = client.patch(
        f"{REGULATIONS}{regulation.pk}/", {"max_hours_per_day": "20"}, format="json"
    )

    assert response.status_code == 400
    assert "max_hours_per_week" in response.json()["error"]["fields"]


def test_active_on_filter_finds_the_regulations_in_force(client_for):
    current = make_regulation(name="current")
    make_regulation(name="old", effective_to=current.effective_from)
    from datetime import date

    future = make_regulation(name="future", effective_from=date(2030, 1, 1))
    client = client_for(make_user(Role.STAFF))

    names = {r["name"] for r in client.get(f"{REGULATIONS}?active_on=2026-06-01").json()["results"]}

    assert names == {"current"}
    assert future.pk


def upload(client, regulation, content=PDF, name="rules.pdf", version="1.0"):
    return client.post(
        DOCUMENTS,
        {
            "regulation": regulation.pk,
            "title": "Overtime rules",
            "version": version,
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
        format="multipart",
    )


def test_document_upload_records_type_size_and_name_and_downloads_for_readers(client_for):
    regulation = make_regulation()
    admin = client_for(make_user(Role.SUPERADMIN))

    created = upload(admin, regulation, name="../../etc/passwd.pdf")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["content_type"], body["size_bytes"], body["original_name"]) == (
        "application/pdf",
        len(PDF),
        "passwd.pdf",
    )
    document = OvertimeRegulationDocument.objects.get()
    assert "etc" not in document.file.name
    download = client_for(make_user(Role.USER)).get(f"{DOCUMENTS}{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "rules.pdf", "not a real .pdf"),
        (PDF, "rules.exe", "not accepted"),
        (b"", "rules.pdf", "empty"),
    ],
)
def test_bad_uploads_are_400_naming_file(client_for, content, name, message):
    response = upload(client_for(make_user(Role.SUPERADMIN)), make_regulation(), content, name)

    assert response.status_code == 400
    assert message in response.json()["error"]["fields"]["file"][0]
    assert not OvertimeRegulationDocument.objects.exists()


def test_oversized_upload_is_400(client_for, settings):
    settings.UPLOAD_MAX_BYTES = 20
    response = upload(client_for(make_user(Role.SUPERADMIN)), make_regulation())

    assert response.status_code == 400
    assert "limit" in response.json()["error"]["fields"]["file"][0]


def test_same_version_twice_is_400(client_for):
    admin = client_for(make_user(Role.SUPERADMIN))
    regulation = make_regulation()
    assert upload(admin, regulation).status_code == 201

    again = upload(admin, regulation)

    assert again.status_code == 400
    assert "version" in again.json()["error"]["fields"]


def test_staff_cannot_upload_documents(client_for):
    assert upload(client_for(make_user(Role.STAFF)), make_regulation()).status_code == 403


def test_regulation_with_documents_cannot_be_deleted(client_for):
    admin = client_for(make_user(Role.SUPERADMIN))
    regulation = make_regulation()
    upload(admin, regulation)

    response = admin.delete(f"{REGULATIONS}{regulation.pk}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "protected"
