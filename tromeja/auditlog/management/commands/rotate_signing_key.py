from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tromeja.core import signing


class Command(BaseCommand):
    help = (
        "Draw a new signing key for the node; it signs from now on. Earlier keys stay "
        "published so that what they signed still verifies."
    )

    def handle(self, *args, **options):
        key = signing.rotate()
        self.stdout.write(
            _("New signing key %(key)s, public key %(public)s")
            % {"key": key.key_id, "public": key.public_key}
        )
