"""Users see their own country's time unless they chose another zone.

Until now every user was made with the node's zone (TIME_ZONE, by default
Europe/Ljubljana) and the preferences page showed it as if chosen. A user
whose zone is still the node's default, in a country that counts time in
another zone, is given their country's zone.
"""

from django.conf import settings
from django.db import migrations, models


def to_country_zone(apps, schema_editor):
    User = apps.get_model("accounts", "User")  # noqa: N806
    users = User.objects.filter(time_zone=settings.TIME_ZONE, unit__isnull=False)
    for user in users.select_related("unit__agency__country"):
        zone = user.unit.agency.country.time_zone
        if zone and zone != user.time_zone:
            user.time_zone = zone
            user.save(update_fields=["time_zone"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0006_country_time_zone"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="time_zone",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="time zone"),
        ),
        migrations.RunPython(to_country_zone, migrations.RunPython.noop),
    ]
