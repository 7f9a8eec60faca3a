"""`python manage.py config_import config.json [--dry-run]`: applies a file written by
`config_export`, in one transaction, and says what changed object by object and field
by field (api/system/config_transfer/ has the rules)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from api.common.request_context import RequestInfo, set_request_info
from api.management.config_catalogue import SECTIONS
from api.system.config_transfer import ConfigTransferError, import_config, load_document


class Command(BaseCommand):
    help = (
        "Import configuration written by config_export (matched by natural keys; creates "
        "and updates, never deletes). --dry-run only prints what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file, or - for stdin")
        parser.add_argument(
            "--dry-run", action="store_true", help="change nothing, print what would change"
        )

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        # The audit trail records where these changes came from.
        set_request_info(RequestInfo(path="manage.py config_import"))
        try:
            plan = import_config(load_document(text, SECTIONS), SECTIONS, dry_run=dry_run)
        except ConfigTransferError as exc:
            problems = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"{file}: nothing was changed:\n{problems}") from exc
        except DatabaseError as exc:
            raise CommandError(
                f"{file}: the database refused the import, nothing was changed: {exc}"
            ) from exc
        finally:
            set_request_info(None)
        for line in plan.report():
            self.stdout.write(line)
