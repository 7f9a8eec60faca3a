"""Public holidays from the `holidays` package into the calendar; safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.calendar.holiday_import import holidays_import
from api.common.exceptions import InvalidInput


class Command(BaseCommand):
    help = (
        "Import public holidays (the holidays package) for a country and years. Holidays "
        "imported before are left as an admin left them: edited or deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--country", default=settings.HOLIDAYS_COUNTRY, help="ISO code (HOLIDAYS_COUNTRY)"
        )
        parser.add_argument(
            "--subdiv",
            default=settings.HOLIDAYS_SUBDIVISION,
            help="subdivision code (HOLIDAYS_SUBDIVISION)",
        )
        parser.add_argument(
            "--years", nargs="+", type=int, help="years to import (default: this year)"
        )

    def handle(self, *args, country: str, subdiv: str, years: list[int] | None, **options):
        years = years or [timezone.localdate().year]
        try:
            result = holidays_import(country=country, subdivision=subdiv, years=years)
        except InvalidInput as exc:
            raise CommandError(str(exc.errors)) from exc
        figures = ", ".join(f"{key}={value}" for key, value in result.as_dict().items())
        where = f"{country}-{subdiv}" if subdiv else country
        self.stdout.write(f"  holidays {where} {' '.join(map(str, years))}: {figures}")
