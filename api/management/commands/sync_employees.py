"""`python manage.py sync_employees`: one HR directory sync, with a summary (docs/hr-sync.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from api.integrations.external_api import ExternalAPIError
from api.org.services import SuspiciousFeed, SyncResult, hr_directory_sync


class Command(BaseCommand):
    help = (
        "Sync departments and employees from the HR service (EXTERNAL_API_URL): create and "
        "update them, deactivate the ones HR no longer lists and lock their logins."
    )

    def handle(self, *args, **options):
        try:
            result = hr_directory_sync()
        except ExternalAPIError as exc:
            raise CommandError(
                f"HR service unreachable, nothing was changed: {exc}. "
                "Check EXTERNAL_API_URL / EXTERNAL_API_KEY and try again."
            ) from exc
        except SuspiciousFeed as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        except IntegrityError as exc:
            raise CommandError(
                f"HR data conflicts with local records, nothing was changed: {exc}"
            ) from exc
        self._report(result)

    def _report(self, result: SyncResult) -> None:
        self.stdout.write(f"departments: {result.departments}")
        self.stdout.write(f"employees: {result.employees}")
        self.stdout.write(
            f"logins: locked={result.accounts_locked} unlocked={result.accounts_unlocked}"
        )
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        changed = result.departments.changed + result.employees.changed
        self.stdout.write(self.style.SUCCESS(f"HR sync done: {changed} records changed."))
