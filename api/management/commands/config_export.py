"""`python manage.py config_export > config.json`: this environment's configuration as
JSON, for `config_import` elsewhere (api/system/config_transfer/ says what moves)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from api.management.config_catalogue import SECTIONS
from api.system.config_transfer import ConfigTransferError, dump_config, export_config


class Command(BaseCommand):
    help = (
        "Write system configuration, overtime regulations, permission overrides, board "
        "columns and SMB configurations (without passwords) as JSON, to stdout or --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, output: str | None, **options):
        try:
            text = dump_config(export_config(SECTIONS))
        except ConfigTransferError as exc:
            problems = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"cannot export the configuration:\n{problems}") from exc
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"configuration written to {output}")
        else:
            self.stdout.write(text, ending="")
