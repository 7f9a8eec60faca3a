"""Public holidays from the `holidays` package (no network: it computes them), through
`manage.py import_holidays` and the yearly job: idempotent, and an admin's edits and
deletions stay."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.calendar.holiday_import import holidays_import
from api.calendar.models import Holiday, HolidayImport, HolidaySource
from api.calendar.tasks import import_next_year_holidays

pytestmark = pytest.mark.django_db

INDEPENDENCE_DAY = date(2026, 8, 17)


def run(*args) -> str:
    out = StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def test_imports_the_countrys_holidays_of_each_year():
    output = run("--country", "ID", "--years", "2026", "2027")

    imported = Holiday.objects.filter(source=HolidaySource.IMPORTED)
    assert {day.year for day in imported.values_list("date", flat=True)} == {2026, 2027}
    assert imported.filter(date=INDEPENDENCE_DAY).exists()
    assert imported.filter(date=date(2027, 1, 1)).exists()
    assert HolidayImport.objects.count() == imported.count()
    assert f"created={imported.count()}" in output


def test_a_second_run_changes_nothing():
    first = holidays_import(country="ID", years=[2026])
    second = holidays_import(country="ID", years=[2026])

    assert first.created > 10
    assert (second.created, second.already_imported) == (0, first.created)
    assert Holiday.objects.count() == first.created


def test_an_edited_holiday_keeps_its_edit_and_a_deleted_one_stays_deleted():
    holidays_import(country="ID", years=[2026])
    edited = Holiday.objects.get(date=INDEPENDENCE_DAY)
    edited.name = "Hari Kemerdekaan (office closed)"
    edited.save()
    Holiday.objects.get(date=date(2026, 1, 1)).delete()

    again = holidays_import(country="ID", years=[2026])

    assert again.created == 0
    assert Holiday.objects.get(date=INDEPENDENCE_DAY).name == "Hari Kemerdekaan (office closed)"
    assert not Holiday.objects.filter(date=date(2026, 1, 1)).exists()
    tombstone = HolidayImport.objects.get(country="ID", date=date(2026, 1, 1))
    assert tombstone.holiday_id is None


def test_a_holiday_entered_by_hand_is_kept():
    Holiday.objects.create(date=INDEPENDENCE_DAY, name="Company picnic")

    result = holidays_import(country="ID", years=[2026])

    assert result.kept_manual == 1
    kept = Holiday.objects.get(date=INDEPENDENCE_DAY)
    assert (kept.name, kept.source) == ("Company picnic", HolidaySource.MANUAL)


def test_defaults_come_from_the_settings(settings):
    settings.HOLIDAYS_COUNTRY = "SG"
    settings.HOLIDAYS_SUBDIVISION = ""

    run("--years", "2026")

    assert HolidayImport.objects.filter(country="SG").exists()
    assert not HolidayImport.objects.filter(country="ID").exists()


def test_a_subdivision_is_imported_under_its_own_code():
    run("--country", "DE", "--subdiv", "BY", "--years", "2026")

    assert Holiday.objects.filter(date=date(2026, 1, 6)).exists()  # Epiphany, Bavaria only
    assert set(HolidayImport.objects.values_list("subdivision", flat=True)) == {"BY"}


@pytest.mark.parametrize(
    ("args", "field"),
    [(("--country", "XX"), "country"), (("--country", "DE", "--subdiv", "ZZ"), "subdivision")],
)
def test_unknown_country_or_subdivision_is_an_error_naming_it(args, field):
    with pytest.raises(CommandError, match=field):
        run(*args, "--years", "2026")
    assert not Holiday.objects.exists()


def test_the_yearly_job_imports_this_and_next_year(settings):
    settings.HOLIDAYS_COUNTRY = "ID"

    result = import_next_year_holidays.delay().get()

    years = {day.year for day in Holiday.objects.values_list("date", flat=True)}
    assert len(years) == 2
    assert max(years) == min(years) + 1
    assert result["created"] == Holiday.objects.count()
