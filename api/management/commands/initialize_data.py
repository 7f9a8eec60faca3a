"""Idempotent first-run setup: run it on every deploy; a second run changes nothing."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from api.accounts.models import User
from api.accounts.services import roles_sync, superadmin_ensure
from api.calendar.holiday_import import holidays_import
from api.kanban.services import board_ensure_default_columns
from api.management.demo.agenda import demo_agenda_create
from api.management.demo.board import demo_board_create
from api.management.demo.fixtures import fixture_load_missing
from api.management.demo.overtime import demo_overtime_create
from api.management.demo.people import (
    LOCAL_ADMIN,
    SSO_ADMIN,
    SSO_EMPLOYEE,
    demo_people_ensure,
    local_admin_ensure,
)
from api.management.demo.purchasing import demo_purchasing_create
from api.org.models import Employee
from api.overtime.models import OvertimeRequest
from api.overtime.regulation_defaults import regulation_preset_upgrade
from api.overtime.services import regulation_ensure_default
from api.system import changelog
from api.system.services import system_config_ensure_defaults

DEMO_PASSWORD_FILE = settings.BASE_DIR / ".demo-admin-password"
FIXTURES = ("generate_data/employees.json", "generate_data/projects.json")


class Command(BaseCommand):
    help = (
        "Seed roles, permissions, the default regulation, board columns, configuration, "
        "release notes from CHANGELOG.md and the first superadmin (DJANGO_SUPERADMIN_*). "
        "--demo adds demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="also load the generate_data fixtures, fake overtime and a local admin",
        )

    def handle(self, *args, demo: bool, **options):
        synced = roles_sync()
        self._say("roles and permissions checked", **synced)
        self._regulation()
        self._say("board columns", created=board_ensure_default_columns())
        self._say("system configuration", created=system_config_ensure_defaults())
        self._release_notes()

        if settings.DJANGO_SUPERADMIN_USERNAME and settings.DJANGO_SUPERADMIN_PASSWORD:
            user, created = superadmin_ensure(
                username=settings.DJANGO_SUPERADMIN_USERNAME,
                email=settings.DJANGO_SUPERADMIN_EMAIL,
                password=settings.DJANGO_SUPERADMIN_PASSWORD,
            )
            self._say(f"superadmin '{user.username}'", created=int(created))
        if demo:
            self._demo()

    def _regulation(self) -> None:
        """The default regulation exists and, unless an admin edited it, carries the
        shipped preset's current values (PP 35/2021)."""
        regulation, created = regulation_ensure_default()
        upgraded = regulation_preset_upgrade(regulation, created=created)
        self._say(f"regulation '{regulation.name}'", created=int(created), upgraded=int(upgraded))

    def _demo_holidays(self) -> None:
        """This year's public holidays, the way production gets them (import_holidays)."""
        result = holidays_import(
            country=settings.HOLIDAYS_COUNTRY,
            subdivision=settings.HOLIDAYS_SUBDIVISION,
            years=[timezone.localdate().year],
        )
        self._say("demo public holidays", **result.as_dict())

    def _release_notes(self) -> None:
        """Release notes are not worth a failed deploy: a missing or malformed changelog
        is reported and the notes stay as they are (CI parses the shipped file)."""
        try:
            loaded = changelog.load_changelog()
        except FileNotFoundError:
            self.stderr.write(f"  release notes: {changelog.CHANGELOG_PATH} not found, unchanged")
        except changelog.ChangelogError as exc:
            self.stderr.write(f"  release notes: {changelog.CHANGELOG_PATH.name}: {exc}, unchanged")
        else:
            self._say(f"release notes from {changelog.CHANGELOG_PATH.name}", **loaded.as_dict())

    def _demo(self) -> None:
        loaded = sum(fixture_load_missing(fixture) for fixture in FIXTURES)
        self._say("demo employees and projects", created=loaded, employees=Employee.objects.count())
        self._demo_holidays()
        password = self._demo_admin_password()
        admin = local_admin_ensure(password)
        people = demo_people_ensure(superadmin=admin)
        self._say("demo department admins", departments=len(people.department_admins))
        if not OvertimeRequest.objects.exists():
            self._say("demo overtime", created=demo_overtime_create(people, count=200, seed=7))
        self._say("demo calendar", **demo_agenda_create(people))
        self._say("demo board cards", created=demo_board_create(people))
        self._say("demo purchasing", **demo_purchasing_create(people))
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Local admin login: {LOCAL_ADMIN} / {password}  (role superadmin)"
                f"\n  SSO logins (reference server): {SSO_ADMIN} (PTB admin of ENG), "
                f"{SSO_EMPLOYEE} / demo-password\n"
            )
        )

    def _demo_admin_password(self) -> str:
        """A random password on first run, kept in a git-ignored file for later runs."""
        path = Path(DEMO_PASSWORD_FILE)
        user = User.objects.filter(username=LOCAL_ADMIN).first()
        if user is not None and path.is_file():
            return path.read_text().strip()
        password = secrets.token_urlsafe(12)
        if user is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        path.write_text(password + "\n")
        path.chmod(0o600)
        return password

    def _say(self, what: str, **counts) -> None:
        figures = ", ".join(f"{key}={value}" for key, value in counts.items())
        self.stdout.write(f"  {what}: {figures}")
