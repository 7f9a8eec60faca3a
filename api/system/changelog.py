"""CHANGELOG.md (Keep a Changelog, https://keepachangelog.com/en/1.1.0/) as release notes.

`parse_changelog` reads the file into one `ChangelogEntry` per `## [version] - date`
section (and `## [Unreleased]`). `load_release_notes` makes the `ReleaseNote` rows say
the same, and `initialize_data` runs it on every deploy, so `/api/v1/release-notes/`
always says what changed.

A note the loader wrote and nobody touched since follows the file (the Unreleased
section grows between releases); a note an admin edited, unpublished or wrote by hand
for that version stays as the admin left it. To tell the two apart the loader keeps a
digest of what it last wrote for each version in one private configuration entry
(`release-notes-changelog`): a note whose current content no longer hashes to that
digest was changed by someone else.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.system.models import ConfigValueType, ReleaseNote, SystemConfiguration

CHANGELOG_PATH: Path = settings.BASE_DIR / "CHANGELOG.md"
UNRELEASED = "Unreleased"
DIGESTS_KEY = "release-notes-changelog"
_VERSION_MAX = ReleaseNote._meta.get_field("version").max_length

# "## [1.2.0] - 2026-05-01", "## 1.2.0 - 2026-05-01", "## [Unreleased]",
# "## [1.1.1] - 2026-04-02 [YANKED]".
_HEADING = re.compile(
    r"^##\s+(?:\[(?P<bracketed>[^\]]+)\]|(?P<bare>\S+))"
    r"(?:\s+-\s+(?P<date>\S+))?"
    r"(?P<yanked>\s+\[YANKED\])?\s*$",
    re.IGNORECASE,
)
# Link reference definitions ("[1.2.0]: https://...") belong to the file, not to a note.
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


class ChangelogError(ValueError):
    """The file does not follow the format; the message names the line."""


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    version: str
    released_on: date | None  # None for Unreleased
    body: str
    yanked: bool = False

    @property
    def title(self) -> str:
        if self.version == UNRELEASED:
            return "Unreleased changes"
        return f"Version {self.version}" + (" (yanked)" if self.yanked else "")


def parse_changelog(text: str) -> list[ChangelogEntry]:
    """The entries of a Keep a Changelog file, in file order (newest first by convention).

    Everything before the first `## ` heading (title, introduction) is not an entry.
    """
    entries: list[ChangelogEntry] = []
    current: dict | None = None
    lines: list[str] = []
    in_fence = False

    def close() -> None:
        if current is not None:
            entries.append(ChangelogEntry(body="\n".join(lines).strip(), **current))

    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.startswith("## "):
            close()
            current, lines = _heading(line, number, seen={e.version for e in entries}), []
            continue
        if current is None:
            continue
        if in_fence or not _LINK_DEFINITION.match(line):
            lines.append(line)
    close()
    return entries


def _heading(line: str, number: int, *, seen: set[str]) -> dict:
    match = _HEADING.match(line.rstrip())
    if match is None:
        raise ChangelogError(
            f"line {number}: {line.strip()!r} is not a version heading "
            "('## [1.2.0] - 2026-05-01' or '## [Unreleased]')"
        )
    version = (match["bracketed"] or match["bare"]).strip()
    if version.lower() == UNRELEASED.lower():
        version, released_on = UNRELEASED, None
    else:
        if match["date"] is None:
            raise ChangelogError(
                f"line {number}: release {version} has no date ('## [{version}] - YYYY-MM-DD')"
            )
        try:
            released_on = date.fromisoformat(match["date"])
        except ValueError:
            raise ChangelogError(
                f"line {number}: {match['date']!r} is not a date (YYYY-MM-DD)"
            ) from None
    if len(version) > _VERSION_MAX:
        raise ChangelogError(
            f"line {number}: version {version!r} is longer than {_VERSION_MAX} characters"
        )
    if version in seen:
        raise ChangelogError(f"line {number}: version {version} appears twice")
    return {"version": version, "released_on": released_on, "yanked": bool(match["yanked"])}


def read_changelog(path: Path | None = None) -> list[ChangelogEntry]:
    return parse_changelog(Path(path or CHANGELOG_PATH).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------- loading


@dataclass(slots=True)
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edited: int = 0  # an admin changed them: left alone
    removed: int = 0  # the loader's own, untouched, and gone from the file

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept_edited": self.kept_edited,
            "removed": self.removed,
        }


def _digest(note: ReleaseNote) -> str:
    content = [note.title, note.body, note.released_on.isoformat(), note.is_published]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _stored_digests() -> tuple[SystemConfiguration, dict[str, str]]:
    entry, _ = SystemConfiguration.objects.select_for_update().get_or_create(
        key=DIGESTS_KEY,
        defaults={
            "value": "{}",
            "value_type": ConfigValueType.JSON,
            "is_public": False,
            "description": (
                "What initialize_data last loaded from CHANGELOG.md into each release note "
                "(digests); a note that no longer matches was edited and is left alone."
            ),
        },
    )
    try:
        digests = json.loads(entry.value)
    except ValueError:
        digests = {}
    if not isinstance(digests, dict):
        digests = {}
    return entry, {str(k): str(v) for k, v in digests.items()}


@transaction.atomic
def load_release_notes(entries: list[ChangelogEntry], *, today: date | None = None) -> LoadResult:
    """Creates a published note per entry with content; follows the file for notes the
    loader owns; leaves every note someone else changed as it is. Idempotent."""
    today = today or timezone.localdate()
    result = LoadResult()
    config, digests = _stored_digests()
    wanted = {entry.version: entry for entry in entries if entry.body}

    for version, entry in wanted.items():
        note = ReleaseNote.objects.select_for_update().filter(version=version).first()
        if note is None:
            note = ReleaseNote.objects.create(
                version=version,
                title=entry.title,
                body=entry.body,
                released_on=entry.released_on or today,
                is_published=True,
            )
            digests[version] = _digest(note)
            result.created += 1
            continue
        same_text = (note.title, note.body, note.is_published) == (entry.title, entry.body, True)
        # Unreleased keeps the date it was last changed on while its text stays the same.
        same = same_text and (entry.released_on in (None, note.released_on))
        if same:
            digests[version] = _digest(note)  # also adopts a hand-written identical note
            result.unchanged += 1
        elif digests.get(version) != _digest(note):
            result.kept_edited += 1
        else:
            note.title, note.body, note.is_published = entry.title, entry.body, True
            note.released_on = entry.released_on or today
            note.save(update_fields=["title", "body", "is_published", "released_on", "updated_at"])
            digests[version] = _digest(note)
            result.updated += 1

    for version in sorted(set(digests) - set(wanted)):
        note = ReleaseNote.objects.select_for_update().filter(version=version).first()
        # "Unreleased" emptied at a release: its text now lives under the version number.
        if note is not None and _digest(note) == digests[version]:
            note.delete()
            result.removed += 1
        del digests[version]  # an edited note left behind is the admin's from now on

    value = json.dumps(digests, sort_keys=True)
    if config.value != value:
        config.value = value
        config.save(update_fields=["value", "updated_at"])
    return result


def load_changelog(path: Path | None = None, *, today: date | None = None) -> LoadResult:
    """Reads the file (ChangelogError when it is malformed) and loads it."""
    return load_release_notes(read_changelog(path), today=today)
