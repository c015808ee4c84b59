"""Person keys fold the region's transliterations since this version
(tromeja.entities: Djordjevic and Đorđević, Kovacich and Kovačić share a
key). The keys of the subjects of messages already sent are folded the same way."""

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
    Subject = apps.get_model("exchange", "Subject")
    changed = []
    for subject in (
        Subject.objects.filter(kind="person").only("pk", "key").iterator(chunk_size=2000)
    ):
        key = refold(subject.key)
        if key != subject.key:
            subject.key = key
            changed.append(subject)
        if len(changed) >= 2000:
            Subject.objects.bulk_update(changed, ["key"])
            changed = []
    Subject.objects.bulk_update(changed, ["key"])


class Migration(migrations.Migration):
    dependencies = [("exchange", "0007_inbox_indexes")]

    operations = [migrations.RunPython(refold_person_keys, migrations.RunPython.noop)]
