"""/api/v1/user-reports/: filing, editing while open, triage by global admins,
screenshots that only the people who see the report can download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.notifications.models import Notification
from api.system.models import UserReport, UserReportStatus
from api.system.tests.factories import PNG, make_report
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/user-reports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people():
    return {
        "reporter": make_user(Role.STAFF),
        "reader": make_user(Role.USER),
        "other": make_user(Role.STAFF),
        "admin": make_user(Role.PTB_ADMIN),
        "superadmin": make_user(Role.SUPERADMIN),
        "developer": make_user(Role.DEVELOPER),
    }


def screenshot(name="screen.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def file_report(client, **extra):
    payload = {"title": "Export fails", "description": "500 on export", **extra}
    return client.post(URL, payload, format="multipart")


def test_filing_a_report_with_a_screenshot_tells_the_global_admins(people, client_for):
    response = file_report(
        client_for(people["reader"]),
        category="bug",
        severity="high",
        page_url="/overtime",
        screenshot=screenshot(),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reporter"]["id"] == people["reader"].pk
    assert body["status"] == UserReportStatus.OPEN
    assert body["has_screenshot"] is True
    assert body["screenshot_url"] == f"{URL}{body['id']}/download-screenshot/"
    assert "screenshot" not in body
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {people["superadmin"].pk, people["developer"].pk}
    assert UserActivityLog.objects.filter(action="create", resource="user_reports").exists()


def test_a_new_report_cannot_be_filed_resolved(people, client_for):
    response = file_report(client_for(people["reporter"]), status="resolved")

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.pdf", b"%PDF-1.7 fake", "type"),
        ("screen.png", b"GIF89a pretending", "content"),
    ],
)
def test_screenshot_must_be_a_real_image(people, client_for, name, content, reason):
    response = file_report(
        client_for(people["reporter"]),
        screenshot=SimpleUploadedFile(name, content, content_type="image/png"),
    )

    assert response.status_code == 400
    assert "screenshot" in response.json()["error"]["fields"]
    assert not UserReport.objects.exists()


def test_screenshot_size_is_limited(people, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 32

    response = file_report(client_for(people["reporter"]), screenshot=screenshot())

    assert response.status_code == 400
    assert "limit" in response.json()["error"]["fields"]["screenshot"][0]


def test_screenshot_download_only_for_those_who_see_the_report(people, client_for):
    report_id = file_report(client_for(people["reporter"]), screenshot=screenshot()).json()["id"]
    url = f"{URL}{report_id}/download-screenshot/"

    own = client_for(people["reporter"]).get(url)
    triager = client_for(people["superadmin"]).get(url)
    stranger = client_for(people["other"]).get(url)

    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PNG
    assert own["Content-Type"] == "image/png"
    assert "attachment" in own["Content-Disposition"]
    assert triager.status_code == 200
    assert stranger.status_code == 404


def test_download_without_screenshot_is_404(people, client_for):
    report = make_report(people["reporter"])

    response = client_for(people["reporter"]).get(f"{URL}{report.pk}/download-screenshot/")

    assert response.status_code == 404


def test_visibility_own_reports_and_everything_for_global_admins(people, client_for):
    mine = make_report(people["reporter"])
    theirs = make_report(people["other"])

    def ids(user):
        return {row["id"] for row in client_for(user).get(URL).json()["results"]}

    assert ids(people["reporter"]) == {mine.pk}
    assert ids(people["admin"]) == set()
    assert ids(people["superadmin"]) == {mine.pk, theirs.pk}
    assert client_for(people["other"]).get(f"{URL}{mine.pk}/").status_code == 404


def test_reporter_edits_while_open_then_the_report_is_frozen(people, client_for):
    report = make_report(people["reporter"])
    client = client_for(people["reporter"])
    url = f"{URL}{report.pk}/"

    edited = client.patch(url, {"severity": "critical", "title": "Export crashes"}, format="json")
    UserReport.objects.filter(pk=report.pk).update(status=UserReportStatus.IN_PROGRESS)
    frozen = client.patch(url, {"title": "again"}, format="json")

    assert edited.status_code == 200, edited.content
    assert edited.json()["severity"] == "critical"
    assert frozen.status_code == 409
    assert frozen.json()["error"]["current_status"] == UserReportStatus.IN_PROGRESS


def test_only_global_admins_change_the_status(people, client_for):
    report = make_report(people["reporter"])

    by_reporter = client_for(people["reporter"]).patch(
        f"{URL}{report.pk}/", {"status": "resolved"}, format="json"
    )

    assert by_reporter.status_code == 403
    report.refresh_from_db()
    assert report.status == UserReportStatus.OPEN


def test_resolving_records_who_and_when_and_tells_the_reporter(people, client_for):
    report = make_report(people["reporter"])
    url = f"{URL}{report.pk}/"
    client = client_for(people["developer"])

    resolved = client.patch(
        url, {"status": "resolved", "resolution_note": "Fixed in 1.4"}, format="json"
    ).json()
    reopened = client.patch(url, {"status": "in_progress"}, format="json").json()

    assert resolved["status"] == "resolved"
    assert resolved["resolved_by"]["id"] == people["developer"].pk
    assert resolved["resolved_at"]
    assert resolved["resolution_note"] == "Fixed in 1.4"
    assert reopened["resolved_by"] is None
    assert reopened["resolved_at"] is None
    told = Notification.objects.filter(recipient=people["reporter"]).order_by("id")
    assert [n.data["id"] for n in told] == [report.pk, report.pk]
    assert told[0].message == "Fixed in 1.4"
    log = (
        UserActivityLog.objects.filter(object_id=str(report.pk), action="update")
        .order_by("id")
        .first()
    )
    assert log.changes["status"] == {"old": "open", "new": "resolved"}


def test_replacing_the_screenshot_removes_the_old_file(
    people, client_for, django_capture_on_commit_callbacks
):
    client = client_for(people["reporter"])
    report_id = file_report(client, screenshot=screenshot("one.png")).json()["id"]
    old = UserReport.objects.get(pk=report_id).screenshot
    old_name, storage = old.name, old.storage

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"{URL}{report_id}/", {"screenshot": screenshot("two.png")}, format="multipart"
        )

    assert response.status_code == 200, response.content
    assert not storage.exists(old_name)
    # Stored under a generated name; the uploaded one is kept for display.
    assert response.json()["screenshot_name"] == "two.png"
    assert UserReport.objects.get(pk=report_id).screenshot.name != old_name


def test_filters_and_search(people, client_for):
    bug = make_report(people["reporter"], title="Crash on login", category="bug")
    idea = make_report(people["reporter"], title="Dark mode", category="feature", status="resolved")
    client = client_for(people["superadmin"])

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(category="feature") == {idea.pk}
    assert ids(status="open") == {bug.pk}
    assert ids(severity="medium") == {bug.pk, idea.pk}
    assert ids(search="crash") == {bug.pk}


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    people, client_for, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        make_report(people["reporter"], resolved_by=people["superadmin"])
    client = client_for(people["superadmin"])
    client.get(URL)

    # count + page (reporter and resolver joined).
    with django_assert_max_num_queries(2) as captured:
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2


def test_deleting_a_report_removes_its_screenshot(
    people, client_for, django_capture_on_commit_callbacks
):
    report_id = file_report(client_for(people["reporter"]), screenshot=screenshot()).json()["id"]
    stored = UserReport.objects.get(pk=report_id).screenshot
    name, storage = stored.name, stored.storage

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["superadmin"]).delete(f"{URL}{report_id}/")

    assert response.status_code == 204
    assert not storage.exists(name)
    assert UserActivityLog.objects.filter(object_id=str(report_id), action="delete").exists()
