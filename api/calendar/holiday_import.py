"""Public holidays from a maintained source, the `holidays` package: the import that
`manage.py import_holidays` and the yearly job run. A write, so the Holiday rows and
their import ledger (HolidayImport) change together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import holidays as holidays_package
from django.db import transaction

from api.calendar.models import Holiday, HolidayImport, HolidaySource
from api.common.exceptions import InvalidInput


@dataclass(frozen=True, slots=True)
class HolidayImportResult:
    created: int = 0
    already_imported: int = 0  # kept as they are: untouched, edited or deleted since
    kept_manual: int = 0  # a holiday an admin entered already has the date

    def as_dict(self) -> dict:
        return asdict(self)


def source_holidays(country: str, subdivision: str, years: Iterable[int]) -> dict:
    """{date: name} from the package; names of one date are joined (the model holds
    one holiday a day)."""
    if country not in holidays_package.list_supported_countries():
        raise InvalidInput({"country": [f"No public holidays known for {country!r}."]})
    try:
        found = holidays_package.country_holidays(
            country, subdiv=subdivision or None, years=list(years)
        )
    except NotImplementedError as exc:  # the package's answer to an unknown subdivision
        raise InvalidInput({"subdivision": [str(exc)]}) from exc
    return {day: "; ".join(found.get_list(day))[:200] for day in sorted(found)}


@transaction.atomic
def holidays_import(
    *, country: str, years: Iterable[int], subdivision: str = ""
) -> HolidayImportResult:
    """Creates the holidays of those years not imported before; idempotent.

    A date the ledger already holds for this country and subdivision is left alone,
    so an admin's edit survives and a holiday an admin deleted is not brought back.
    A date that already has a holiday entered by hand keeps it.
    """
    country = country.upper()
    wanted = source_holidays(country, subdivision, years)
    seen = set(
        HolidayImport.objects.filter(
            country=country, subdivision=subdivision, date__in=wanted
        ).values_list("date", flat=True)
    )
    taken = set(Holiday.objects.filter(date__in=wanted).values_list("date", flat=True))
    created = kept_manual = 0
    for day, name in wanted.items():
        if day in seen:
            continue
        if day in taken:
            kept_manual += 1
            continue
        holiday = Holiday.objects.create(date=day, name=name, source=HolidaySource.IMPORTED)
        HolidayImport.objects.create(
            country=country, subdivision=subdivision, date=day, name=name, holiday=holiday
        )
        created += 1
    return HolidayImportResult(created, len(seen), kept_manual)
