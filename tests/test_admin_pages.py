"""Every admin page of the `api` app renders, and secrets never reach the HTML."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from api import models as m
from api.models import (
    Department,
    Employee,
    OvertimeRequest,
    SMBConfiguration,
    User,
    UserActivityLog,
)

API_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "api"
    ),
    key=lambda pair: pair[0]._meta.model_name,
)


def _url(model, view, *args):
    return reverse(f"admin:api_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def root(client):
    user = User.objects.create_superuser("root", "root@example.com", "pw-Long-enough-123")
    client.force_login(user)
    return user


@pytest.fixture
def overtime(root):
    department = Department.objects.create(code="ENG", name="Engineering")
    employee = Employee.objects.create(
        employee_code="E001", first_name="Ada", department=department
    )
    start = timezone.now().replace(microsecond=0) - timedelta(days=1)
    request = OvertimeRequest.objects.create(
        employee=employee,
        start_at=start,
        end_at=start + timedelta(hours=2),
        reason="Release night",
        created_by=root,
    )
    return department, employee, request


@pytest.fixture
def one_of_each(root, overtime):
    """A row of every model, so changelist columns and change pages really render."""
    department, employee, request = overtime
    now = timezone.now()
    project = m.Project.objects.create(code="P1", name="Apollo", department=department)
    regulation = m.OvertimeRegulation.objects.create(
        name="Default",
        scope="department",
        department=department,
        max_hours_per_day=4,
        max_hours_per_week=12,
        max_hours_per_month=40,
        max_hours_per_year=300,
        effective_from=now.date(),
    )
    m.OvertimeRegulationDocument.objects.create(
        regulation=regulation, title="Rules", version="1", file="regulations/1/rules.pdf"
    )
    m.OvertimeBreak.objects.create(
        request=request, start_at=request.start_at, end_at=request.start_at + timedelta(minutes=5)
    )
    m.ExternalUser.objects.create(user=root, external_id="x1", username="root", employee=employee)
    m.UserSession.objects.create(user=root, auth_source="local", login_at=now, last_activity_at=now)
    m.UserPermissionOverride.objects.create(
        user=root, resource="projects", action="view", allowed=True, granted_by=root
    )
    m.CompensationTier.objects.create(
        regulation=regulation, day_category="workday", hour_from=0, hour_to=1, multiplier=1.5
    )
    holiday = m.Holiday.objects.create(date=now.date(), name="Founders' day")
    m.HolidayImport.objects.create(
        country="ID", date=now.date(), name="Founders' day", holiday=holiday
    )
    event = m.CalendarEvent.objects.create(
        title="Demo", start_at=now, end_at=now, department=department, created_by=root
    )
    event.attendees.add(employee)
    m.EmployeeLeave.objects.create(
        employee=employee, leave_type="annual", start_date=now.date(), end_date=now.date()
    )
    group = m.TaskGroup.objects.create(name="To do", position=0)
    task = m.Task.objects.create(group=group, position=0, title="Ship it", created_by=root)
    m.TaskComment.objects.create(task=task, author=root, body="Looks good")
    m.TaskSubtask.objects.create(task=task, title="Tests", is_done=True, done_at=now)
    m.TaskTimeLog.objects.create(
        task=task, user=root, started_at=now - timedelta(hours=1), ended_at=now
    )
    m.TaskActivity.objects.create(task=task, actor=root, verb="created")
    m.TaskAttachment.objects.create(
        task=task, file="tasks/1/a.txt", original_name="a.txt", uploaded_by=root
    )
    m.TaskReminder.objects.create(task=task, user=root, remind_at=now)
    m.BoardPresence.objects.create(
        user=root, task=task, channel_name="c1", connected_at=now, last_seen_at=now
    )
    purchase = m.PurchaseRequest.objects.create(
        number="PR-1", title="Laptops", requester=root, department=department, currency="EUR"
    )
    m.Asset.objects.create(
        asset_tag="A-1",
        name="Laptop",
        status="assigned",
        assigned_to=employee,
        purchase_request=purchase,
    )
    m.Notification.objects.create(recipient=root, actor=root, kind="system", title="Hi")
    m.SystemConfiguration.objects.create(key="max-upload", value="10", value_type="integer")
    m.RealtimeStream.objects.create(name="board", last_sequence=1)
    m.RealtimeEvent.objects.create(stream="board", sequence=1, type="task.created", payload={})
    m.ReportJob.objects.create(
        kind="monthly",
        period_start=now.date().replace(day=1),
        period_end=now.date(),
        requested_by=root,
    )
    UserActivityLog.objects.create(user=root, action="update", resource="projects")
    m.PersonalNote.objects.create(owner=root, title="Mine")
    m.UserReport.objects.create(reporter=root, title="Bug", description="Broken")
    m.ReleaseNote.objects.create(version="1.0", title="First", body="Hello", released_on=now)
    SMBConfiguration.objects.create(name="reports", server="s", share_name="sh")
    return project


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), API_ADMINS, ids=lambda v: str(v))
def test_changelist_and_change_pages_render_with_data(client, one_of_each, model, model_admin):
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    obj = model._default_manager.first()
    assert obj is not None, "the one_of_each fixture should create a row of every model"
    assert client.get(_url(model, "change", obj.pk)).status_code == 200


def test_every_api_model_is_registered():
    from django.apps import apps

    registered = {model for model, _ in API_ADMINS}
    missing = [m.__name__ for m in apps.get_app_config("api").get_models() if m not in registered]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), API_ADMINS, ids=lambda v: str(v))
def test_changelist_and_add_pages_render(client, root, overtime, model, model_admin):
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "abc"}).status_code == 200

    request = RequestFactory().get("/")
    request.user = root
    response = client.get(_url(model, "add"))
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert response.status_code == expected


@pytest.mark.django_db
def test_change_pages_render(client, overtime):
    for obj in overtime:
        assert client.get(_url(type(obj), "change", obj.pk)).status_code == 200


@pytest.mark.django_db
def test_overtime_changelist_has_no_n_plus_one(client, overtime):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = _url(OvertimeRequest, "changelist")
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    _, employee, first = overtime
    for day in range(2, 7):
        start = first.start_at - timedelta(days=day)
        OvertimeRequest.objects.create(
            employee=employee,
            start_at=start,
            end_at=start + timedelta(hours=1),
            reason="More",
            created_by=first.created_by,
        )
    with CaptureQueriesContext(connection) as six_rows:
        client.get(url)
    assert len(six_rows) == len(one_row)


@pytest.mark.django_db
def test_audit_log_is_read_only(client, root):
    log = UserActivityLog.objects.create(user=root, action="update", resource="projects")
    response = client.get(_url(UserActivityLog, "change", log.pk))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert client.post(_url(UserActivityLog, "change", log.pk), {}).status_code == 403


@pytest.mark.django_db
def test_smb_password_is_never_rendered(client, root):
    cfg = SMBConfiguration(name="x", server="s", share_name="sh")
    cfg.set_password("Sup3rSecret!")
    cfg.save()

    for url in (_url(SMBConfiguration, "change", cfg.pk), _url(SMBConfiguration, "changelist")):
        html = client.get(url).content.decode()
        assert cfg.password_encrypted not in html
        assert "Sup3rSecret!" not in html


@pytest.mark.django_db
def test_smb_password_kept_when_left_empty_and_replaced_when_given(client, root):
    cfg = SMBConfiguration(name="x", server="s", share_name="sh")
    cfg.set_password("Sup3rSecret!")
    cfg.save()
    form = {
        "name": "x",
        "is_active": "",
        "server": "s2",
        "port": "445",
        "share_name": "sh",
        "path_prefix": "",
        "username": "svc",
        "domain": "WORKGROUP",
        "password": "",
        "client": "pysmb",
        "timeout_seconds": "30",
    }
    url = _url(SMBConfiguration, "change", cfg.pk)
    assert client.post(url, form).status_code == 302
    cfg.refresh_from_db()
    assert (cfg.server, cfg.get_password()) == ("s2", "Sup3rSecret!")

    assert client.post(url, {**form, "password": "N3w-Secret"}).status_code == 302
    cfg.refresh_from_db()
    assert cfg.get_password() == "N3w-Secret"
