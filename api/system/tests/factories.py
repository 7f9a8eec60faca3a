import itertools
from datetime import date

from api.system.models import PersonalNote, ReleaseNote, SMBConfiguration, UserReport

_sequence = itertools.count(1)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_note(owner, **fields) -> PersonalNote:
    fields.setdefault("title", f"Note {next(_sequence)}")
    return PersonalNote.objects.create(owner=owner, **fields)


def make_report(reporter, **fields) -> UserReport:
    fields.setdefault("title", f"Report {next(_sequence)}")
    fields.setdefault("description", "The page does not load.")
    return UserReport.objects.create(reporter=reporter, **fields)


def make_release_note(**fields) -> ReleaseNote:
    n = next(_sequence)
    fields.setdefault("version", f"1.{n}.0")
    fields.setdefault("title", f"Release {n}")
    fields.setdefault("body", "Fixes and improvements.")
    fields.setdefault("released_on", date(2026, 1, 1))
    return ReleaseNote.objects.create(**fields)


def make_smb_config(password: str = "", **fields) -> SMBConfiguration:
    n = next(_sequence)
    fields.setdefault("name", f"share-{n}")
    fields.setdefault("server", "files.example.com")
    fields.setdefault("share_name", "reports")
    config = SMBConfiguration(**fields)
    config.set_password(password)
    config.save()
    return config
