from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=10)),
                ("source", models.UUIDField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("kind", "source"), name="search_entry_unique")
                ],
            },
        ),
    ]
