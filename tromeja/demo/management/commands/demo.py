import random

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tromeja.accounts.models import User
from tromeja.accounts.services import create_user
from tromeja.core import context
from tromeja.core.models import Unit
from tromeja.demo import exchange, incidents, notices
from tromeja.demo.people import DEMO_PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Migrate, load deterministic demo data, print the demo accounts and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--days", type=int, default=365, help="Days of incidents to load.")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("The demo runs only with TROMEJA_DEMO=1 (set by `tromeja demo`).")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        with context.acting(context.ActionContext(request_id="demo", purpose="demo data")):
            self.load(days=options["days"])
        self.print_accounts()
        if not options["no_serve"]:
            call_command("serve", port=options["port"])

    @transaction.atomic
    def load(self, days=365):
        rng = random.Random(2026)  # noqa: S311 (deterministic demo data)
        users = load_accounts()
        created = notices.load(users, rng)
        if created:
            self.stdout.write(f"Loaded {created} demo notices.")
        self.stdout.write("Loading a year of border incidents…")
        created = incidents.load(
            users,
            rng,
            progress=lambda day, n: self.stdout.write(f"  {day:%b %Y}: {n} reports"),
            days=days,
        )
        if created:
            self.stdout.write(f"Loaded {created} demo incident reports.")
        cases = max(12, round(exchange.CASES_PER_YEAR * days / 365))
        created = exchange.load(users, rng, cases=cases)
        if created:
            self.stdout.write(f"Loaded {created} demo cases between the contact points.")
        shifts = exchange.roster(users)
        if shifts:
            self.stdout.write(f"Put {shifts} shifts of the coming week on the duty rosters.")

    def print_accounts(self):
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})\n")
        for username, first, last, _unit, roles, _language in PEOPLE:
            role = ", ".join(str(r.label) for r in roles) or "no roles"
            name = f"{first} {last}"
            self.stdout.write(f"  {username:<15} {name:<22} {role}")
        self.stdout.write(
            "\nThe second factor is relaxed for these demo accounts only, while TROMEJA_DEMO=1.\n"
        )


def load_accounts() -> dict:
    """The demo accounts by username, created the first time."""
    units = {u.code: u for u in Unit.objects.all()}
    users = {}
    for username, first, last, unit, roles, language in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(
                username=username,
                password=DEMO_PASSWORD,
                unit=units[unit],
                roles=roles,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.tromeja.invalid",
                language=language,
                is_demo_account=True,
            )
        users[username] = user
    return users
