"""CHANGELOG.md → release notes: the parser (Keep a Changelog), the idempotent loader
and initialize_data, which runs it on every deploy."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from api.accounts.roles import Role
from api.system import changelog
from api.system.changelog import (
    UNRELEASED,
    ChangelogEntry,
    ChangelogError,
    load_release_notes,
    parse_changelog,
)
from api.system.models import ReleaseNote, SystemConfiguration
from api.system.tests.factories import make_release_note
from tests.factories import make_user

TODAY = date(2026, 6, 1)

SAMPLE = """\
# Changelog

All notable changes. The format is [Keep a Changelog](https://keepachangelog.com/).

## [Unreleased]

### Added

- Something new.

## [1.1.0] - 2026-05-01

### Fixed

- A bug, shown as:

```text
## not a heading inside a fence
[x]: not a link definition either
```

## 1.0.1 - 2026-04-02 [YANKED]

- Withdrawn.

## [1.0.0] - 2026-04-01

- First.

[Unreleased]: https://example.com/compare/v1.1.0...HEAD
[1.1.0]: https://example.com/compare/v1.0.0...v1.1.0
"""


# ----------------------------------------------------------------------- parser


def test_parser_reads_every_section_in_file_order():
    entries = parse_changelog(SAMPLE)

    assert [(e.version, e.released_on, e.yanked) for e in entries] == [
        (UNRELEASED, None, False),
        ("1.1.0", date(2026, 5, 1), False),
        ("1.0.1", date(2026, 4, 2), True),
        ("1.0.0", date(2026, 4, 1), False),
    ]
    assert entries[0].body == "### Added\n\n- Something new."
    assert entries[0].title == "Unreleased changes"
    assert entries[1].title == "Version 1.1.0"
    assert entries[2].title == "Version 1.0.1 (yanked)"


def test_parser_keeps_fenced_text_and_drops_link_definitions():
    entries = {e.version: e for e in parse_changelog(SAMPLE)}

    assert "## not a heading inside a fence" in entries["1.1.0"].body
    assert "[x]: not a link definition either" in entries["1.1.0"].body
    assert entries["1.0.0"].body == "- First."


def test_parser_ignores_the_introduction_and_reads_an_empty_section_as_empty():
    entries = parse_changelog("# Changelog\n\nIntro.\n\n## [Unreleased]\n\n")

    assert entries == [ChangelogEntry(version=UNRELEASED, released_on=None, body="")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("## [1.0.0]\n- x\n", "line 1: release 1.0.0 has no date"),
        ("# C\n\n## [1.0.0] - 2026-13-01\n", "line 3: '2026-13-01' is not a date"),
        ("## [1.0.0] - 2026-01-01\n## [1.0.0] - 2026-01-02\n", "line 2: version 1.0.0 appears"),
        ("## [1.0.0] - 2026-01-01 extra words\n", "line 1: '## [1.0.0] - 2026-01-01 extra"),
        (f"## [1.{'0' * 40}] - 2026-01-01\n", "longer than 32 characters"),
    ],
)
def test_parser_names_the_line_of_a_malformed_heading(text, message):
    with pytest.raises(ChangelogError, match=re.escape(message)):
        parse_changelog(text)


def test_the_shipped_changelog_parses_with_an_unreleased_section():
    entries = changelog.read_changelog()

    assert entries[0].version == UNRELEASED
    assert entries[0].body
    assert all(entry.body for entry in entries if entry.version != UNRELEASED)


# ----------------------------------------------------------------------- loader


def entry(version: str, body: str, released_on: date | None = date(2026, 5, 1)):
    return ChangelogEntry(
        version=version, released_on=None if version == UNRELEASED else released_on, body=body
    )


@pytest.mark.django_db
def test_loading_creates_published_notes_and_twice_changes_nothing():
    entries = parse_changelog(SAMPLE)

    first = load_release_notes(entries, today=TODAY)
    rows = list(ReleaseNote.objects.values_list("version", "title", "released_on", "updated_at"))
    second = load_release_notes(entries, today=date(2026, 6, 2))

    assert first.as_dict() == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "kept_edited": 0,
        "removed": 0,
    }
    assert second.created == 0
    assert second.unchanged == 4
    assert (
        list(ReleaseNote.objects.values_list("version", "title", "released_on", "updated_at"))
        == rows
    )
    unreleased = ReleaseNote.objects.get(version=UNRELEASED)
    assert unreleased.released_on == TODAY  # the day its text was loaded, not every day since
    assert unreleased.is_published
    assert unreleased.created_by is None
    assert ReleaseNote.objects.filter(is_published=True).count() == 4
    # The loader's bookkeeping is private configuration, not something clients read.
    assert not SystemConfiguration.objects.get(key=changelog.DIGESTS_KEY).is_public


@pytest.mark.django_db
def test_a_note_nobody_touched_follows_the_file():
    load_release_notes([entry(UNRELEASED, "- One.")], today=TODAY)

    result = load_release_notes([entry(UNRELEASED, "- One.\n- Two.")], today=date(2026, 6, 5))

    note = ReleaseNote.objects.get(version=UNRELEASED)
    assert result.updated == 1
    assert note.body == "- One.\n- Two."
    assert note.released_on == date(2026, 6, 5)


@pytest.mark.django_db
def test_a_note_an_admin_edited_through_the_api_is_left_alone(client_for):
    load_release_notes([entry("1.0.0", "- First.")], today=TODAY)
    note = ReleaseNote.objects.get(version="1.0.0")
    admin = client_for(make_user(Role.SUPERADMIN))
    edited = admin.patch(
        f"/api/v1/release-notes/{note.pk}/", {"body": "- First, in plain words."}, format="json"
    )
    assert edited.status_code == 200, edited.content

    again = load_release_notes([entry("1.0.0", "- First.")], today=TODAY)
    changed_file = load_release_notes([entry("1.0.0", "- First, reworded.")], today=TODAY)

    note.refresh_from_db()
    assert again.kept_edited == 1
    assert changed_file.kept_edited == 1
    assert note.body == "- First, in plain words."
    assert ReleaseNote.objects.filter(version="1.0.0").count() == 1


@pytest.mark.django_db
def test_an_unpublished_note_stays_unpublished():
    load_release_notes([entry("1.0.0", "- First.")], today=TODAY)
    ReleaseNote.objects.filter(version="1.0.0").update(is_published=False)

    result = load_release_notes([entry("1.0.0", "- First.")], today=TODAY)

    assert result.kept_edited == 1
    assert not ReleaseNote.objects.get(version="1.0.0").is_published


@pytest.mark.django_db
def test_a_hand_written_note_for_a_version_is_not_overwritten():
    make_release_note(version="1.0.0", title="Our first release", body="Written by hand.")

    result = load_release_notes([entry("1.0.0", "- First.")], today=TODAY)

    assert result.kept_edited == 1
    assert ReleaseNote.objects.get(version="1.0.0").body == "Written by hand."


@pytest.mark.django_db
def test_a_release_moves_unreleased_text_under_its_version():
    load_release_notes([entry(UNRELEASED, "- New thing.")], today=TODAY)

    result = load_release_notes(
        [entry(UNRELEASED, ""), entry("1.2.0", "- New thing.", date(2026, 6, 10))], today=TODAY
    )

    assert result.created == 1
    assert result.removed == 1
    assert list(ReleaseNote.objects.values_list("version", flat=True)) == ["1.2.0"]


@pytest.mark.django_db
def test_an_edited_note_is_kept_when_its_section_goes_away():
    load_release_notes([entry(UNRELEASED, "- New thing.")], today=TODAY)
    ReleaseNote.objects.filter(version=UNRELEASED).update(body="- New thing (edited).")

    result = load_release_notes([entry("1.2.0", "- New thing.")], today=TODAY)
    later = load_release_notes([entry("1.2.0", "- New thing.")], today=TODAY)

    assert result.removed == 0
    assert ReleaseNote.objects.get(version=UNRELEASED).body == "- New thing (edited)."
    assert later.as_dict()["removed"] == 0


@pytest.mark.django_db
def test_a_deleted_note_comes_back_so_the_list_is_never_empty():
    load_release_notes([entry("1.0.0", "- First.")], today=TODAY)
    ReleaseNote.objects.all().delete()

    result = load_release_notes([entry("1.0.0", "- First.")], today=TODAY)

    assert result.created == 1
    assert ReleaseNote.objects.filter(version="1.0.0", is_published=True).exists()


# ----------------------------------------------------------------------- initialize_data


@pytest.mark.django_db
def test_initialize_data_fills_the_release_notes_every_role_reads(client_for):
    call_command("initialize_data", verbosity=0, stdout=StringIO())
    call_command("initialize_data", verbosity=0, stdout=StringIO())

    shipped = changelog.read_changelog()
    response = client_for(make_user(Role.USER)).get("/api/v1/release-notes/")

    assert response.status_code == 200
    versions = [row["version"] for row in response.json()["results"]]
    assert versions
    assert sorted(versions) == sorted(e.version for e in shipped if e.body)
    assert ReleaseNote.objects.count() == len(versions)


@pytest.mark.django_db
def test_initialize_data_reports_a_malformed_changelog_and_carries_on(tmp_path, monkeypatch):
    broken = tmp_path / "CHANGELOG.md"
    broken.write_text("# Changelog\n\n## [2.0.0]\n- no date\n")
    monkeypatch.setattr(changelog, "CHANGELOG_PATH", broken)
    out, err = StringIO(), StringIO()

    call_command("initialize_data", stdout=out, stderr=err)

    assert "line 3: release 2.0.0 has no date" in err.getvalue()
    assert "system configuration" in out.getvalue()  # the rest of the setup still ran
    assert not ReleaseNote.objects.exists()


@pytest.mark.django_db
def test_initialize_data_without_a_changelog_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(changelog, "CHANGELOG_PATH", tmp_path / "missing.md")
    err = StringIO()

    call_command("initialize_data", stdout=StringIO(), stderr=err)

    assert "missing.md not found" in err.getvalue()
