from django.core.management.base import BaseCommand, CommandError

from api.overtime.dummy_data import generate_overtime_dummy


class Command(BaseCommand):
    help = "Create N fake overtime requests (with breaks) for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", nargs="?", type=int, default=10)
        parser.add_argument("--seed", type=int, default=None, help="repeatable data")
        parser.add_argument("--days", type=int, default=365, help="spread over the last N days")

    def handle(self, *args, count: int, seed: int | None, days: int, **options):
        if count < 1:
            raise CommandError("count must be at least 1")
        try:
            created = generate_overtime_dummy(count, seed=seed, days=days)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {created} overtime requests."))
