"""`manage.py sync_employees`: its summary, and a clear failure when HR is down."""

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.audit.models import UserActivityLog
from api.org.models import Department, Employee

pytestmark = pytest.mark.django_db


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sync_employees", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_what_it_changed(external_api):
    first, _ = run()
    second, _ = run()

    assert "departments: created=6 updated=0 deactivated=0 unchanged=0" in first
    assert "employees: created=12 updated=0 deactivated=0 unchanged=0" in first
    assert "logins: locked=0 unlocked=0" in first
    assert "18 records changed" in first
    assert "departments: created=0 updated=0 deactivated=0 unchanged=6" in second
    assert "employees: created=0 updated=0 deactivated=0 unchanged=12" in second


def test_warnings_go_to_stderr(external_api):
    directory = {
        "departments": [
            {
                "external_id": "dept-ENG",
                "code": "ENG",
                "name": "Engineering",
                "parent_code": "GONE",
                "manager_employee_code": None,
            }
        ],
        "employees": [],
    }
    external_api.replace_directory(directory)

    _, err = run()

    assert "unknown parent 'GONE'" in err


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_service_down_fails_with_a_message_and_changes_nothing(external_api, settings):
    run()
    settings.EXTERNAL_API_URL = f"http://127.0.0.1:{closed_port()}"
    before = (Employee.objects.count(), UserActivityLog.objects.count())

    with pytest.raises(CommandError, match="HR service unreachable, nothing was changed") as error:
        run()

    assert error.value.returncode != 0
    assert (Employee.objects.count(), UserActivityLog.objects.count()) == before
    assert not Department.objects.filter(is_active=False).exists()
