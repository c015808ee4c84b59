"""Person keys fold the region's transliterations since this version
(tromeja.entities: Djordjevic and Đorđević, Kovacich and Kovačić share a
key). The keys already in the cross-match index are folded the same way."""

import re

from django.db import migrations

# tromeja.entities._TRANSLITERATIONS as of this migration.
_TRANSLITERATIONS = (
    (re.compile(r"dj"), "d"),
    (re.compile(r"tch"), "c"),
    (re.compile(r"ch"), "c"),
    (re.compile(r"sh"), "s"),
    (re.compile(r"zh"), "z"),
    (re.compile(r"gi(?=[aeou])"), "j"),
    (re.compile(r"ss"), "s"),
    (re.compile(r"k"), "c"),
)


def refold(key: str) -> str:
    parts = []
    for part in key.split("|"):
        for pattern, replacement in _TRANSLITERATIONS:
            part = pattern.sub(replacement, part)
        parts.append(part)
    return "|".join(parts)


def refold_person_keys(apps, schema_editor):
    EntityRef = apps.get_model("incidents", "EntityRef")
    changed = []
    for ref in EntityRef.objects.filter(kind="person").only("pk", "key").iterator(chunk_size=2000):
        key = refold(ref.key)
        if key != ref.key:
            ref.key = key
            changed.append(ref)
        if len(changed) >= 2000:
            EntityRef.objects.bulk_update(changed, ["key"])
            changed = []
    EntityRef.objects.bulk_update(changed, ["key"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_map_cells")]

    operations = [migrations.RunPython(refold_person_keys, migrations.RunPython.noop)]
