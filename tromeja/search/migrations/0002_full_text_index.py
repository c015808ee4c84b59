"""The full-text index of each database and its triggers, and the records
already there indexed (tromeja/search/index.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from tromeja.search import index

    index.install(schema_editor.connection)
    index.rebuild(schema_editor.connection)


def uninstall(apps, schema_editor):
    from tromeja.search import index

    index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("incidents", "0005_import_staging"),
        ("exchange", "0009_last_looked"),
        ("notices", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
