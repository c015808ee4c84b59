import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tromeja.accounts.models import User
from tromeja.accounts.services import create_user
from tromeja.core.models import Unit
from tromeja.core.roles import Role


class Command(BaseCommand):
    help = "Create the first node administrator of a new node."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="code of the unit, e.g. si-gpu")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args, username, unit, email, password_stdin, **options):
        try:
            unit_obj = Unit.objects.get(code=unit)
        except Unit.DoesNotExist:
            raise CommandError(
                f"No unit with code {unit!r} (see `tromeja load-reference`)."
            ) from None
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user {username!r} already exists.")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        create_user(
            username=username,
            password=password,
            unit=unit_obj,
            email=email,
            roles=[Role.NODE_ADMIN],
        )
        self.stdout.write(
            f"Node administrator {username} created. The authenticator app is set up at first "
            "sign-in."
        )
