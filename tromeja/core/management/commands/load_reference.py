from django.core.management.base import BaseCommand

from tromeja.core import reference
from tromeja.core.models import Agency, Country, Unit


class Command(BaseCommand):
    help = "Create or update the countries, agencies and units of the cooperation."

    def handle(self, *args, **options):
        reference.load(Country, Agency, Unit)
        self.stdout.write(
            f"{Country.objects.count()} countries, {Agency.objects.count()} agencies, "
            f"{Unit.objects.count()} units."
        )
