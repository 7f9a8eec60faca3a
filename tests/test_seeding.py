"""initialize_data and the generate_data fixtures, as an operator runs them."""

import pytest
from django.core.management import call_command

from api.accounts.models import User
from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.org.models import Department, Employee, Project
from api.overtime.models import OvertimeBreak, OvertimeRegulation, OvertimeRequest
from api.system.models import SystemConfiguration

pytestmark = pytest.mark.django_db

COUNTED = (User, OvertimeRegulation, TaskGroup, SystemConfiguration, Department, Employee)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def superadmin_env(settings):
    settings.DJANGO_SUPERADMIN_USERNAME = "chief"
    settings.DJANGO_SUPERADMIN_EMAIL = "chief@example.com"
    settings.DJANGO_SUPERADMIN_PASSWORD = "Chief-Password-2026"


def test_initialize_data_seeds_defaults_and_the_first_superadmin(superadmin_env):
    call_command("initialize_data", verbosity=0)

    chief = User.objects.get(username="chief")
    assert chief.role == Role.SUPERADMIN
    assert chief.is_staff
    assert chief.check_password("Chief-Password-2026")
    assert OvertimeRegulation.objects.filter(scope="global", is_active=True).count() == 1
    assert list(TaskGroup.objects.values_list("name", flat=True)) == [
        "To do",
        "In progress",
        "Review",
        "Done",
    ]
    assert SystemConfiguration.objects.filter(key="company-name", is_public=True).exists()


def test_initialize_data_twice_leaves_the_same_counts(superadmin_env):
    call_command("initialize_data", verbosity=0)
    first = counts()

    call_command("initialize_data", verbosity=0)

    assert counts() == first


def test_initialize_data_never_resets_a_changed_password_or_value(superadmin_env):
    call_command("initialize_data", verbosity=0)
    chief = User.objects.get(username="chief")
    chief.set_password("Changed-Later-99")
    chief.save()
    SystemConfiguration.objects.filter(key="company-name").update(value="ACME")

    call_command("initialize_data", verbosity=0)

    chief.refresh_from_db()
    assert chief.check_password("Changed-Later-99")
    assert SystemConfiguration.objects.get(key="company-name").value == "ACME"


def test_initialize_data_repairs_admin_flags_from_roles():
    user = User.objects.create_user("lost", password="x-Password-123", role=Role.SUPERADMIN)
    assert not user.is_staff

    call_command("initialize_data", verbosity=0)

    user.refresh_from_db()
    assert user.is_staff


def test_generate_data_fixtures_load_and_reload_without_duplicates():
    call_command("loaddata", "generate_data/employees.json", verbosity=0)
    call_command("loaddata", "generate_data/projects.json", verbosity=0)
    loaded = (Department.objects.count(), Employee.objects.count(), Project.objects.count())

    call_command("loaddata", "generate_data/employees.json", verbosity=0)
    call_command("loaddata", "generate_data/projects.json", verbosity=0)

    assert loaded[0] >= 5
    assert loaded[1] >= 50
    assert loaded[2] >= 10
    assert (Department.objects.count(), Employee.objects.count(), Project.objects.count()) == loaded
    assert Employee.objects.filter(department__code="ENG").exists()
    assert Project.objects.exclude(department=None).exists()


def test_generate_overtime_dummy_creates_consistent_requests():
    call_command("initialize_data", verbosity=0)
    call_command("loaddata", "generate_data/employees.json", verbosity=0)
    User.objects.create_user("owner", password="x-Password-123")

    call_command("generate_overtime_dummy", "40", "--seed", "3", verbosity=0)

    assert OvertimeRequest.objects.count() == 40
    for request in OvertimeRequest.objects.prefetch_related("breaks"):
        assert request.end_at > request.start_at
        assert request.net_hours == request.total_hours - request.break_hours
        for pause in request.breaks.all():
            assert request.start_at <= pause.start_at < pause.end_at <= request.end_at
    assert OvertimeBreak.objects.exists()


def test_initialize_data_demo_loads_people_overtime_and_a_local_admin(tmp_path, monkeypatch):
    from api.management.commands import initialize_data as command

    monkeypatch.setattr(command, "DEMO_PASSWORD_FILE", tmp_path / "pw")
    call_command("initialize_data", "--demo", verbosity=0)
    password = (tmp_path / "pw").read_text().strip()

    admin = User.objects.get(username="admin")
    assert admin.role == Role.SUPERADMIN
    assert admin.check_password(password)
    assert Employee.objects.count() >= 50
    assert OvertimeRequest.objects.count() == 200

    call_command("initialize_data", "--demo", verbosity=0)  # idempotent: same password, rows
    assert (tmp_path / "pw").read_text().strip() == password
    assert OvertimeRequest.objects.count() == 200
