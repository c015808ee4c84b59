from django.db import migrations


def load_reference(apps, schema_editor):
    from tromeja.core import reference

    reference.load(
        apps.get_model("core", "Country"),
        apps.get_model("core", "Agency"),
        apps.get_model("core", "Unit"),
    )


class Migration(migrations.Migration):
    """Adds the Croatian police administrations along the Slovenian border
    (Krapina-Zagorje, Varaždin, Međimurje) that own border sections."""

    dependencies = [("core", "0003_sequence")]

    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
