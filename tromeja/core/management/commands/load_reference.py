from django.core.management.base import BaseCommand

from tromeja.core import reference_services
from tromeja.core.models import Agency, Country, Unit


class Command(BaseCommand):
    help = "Create or update the countries, agencies and units of the cooperation."

    def handle(self, *args, **options):
        # Through the service, so the changes are in the audit trail.
        reference_services.load_reference()
        self.stdout.write(
            f"{Country.objects.count()} countries, {Agency.objects.count()} agencies, "
            f"{Unit.objects.count()} units."
        )
