import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

LANGUAGES = ("sl", "it", "hr")


def missing_translations(locale_dir: Path) -> dict[str, list[str]]:
    """Entries without a complete translation, or marked fuzzy, per language."""
    problems: dict[str, list[str]] = {}
    for language in LANGUAGES:
        path = locale_dir / language / "LC_MESSAGES" / "django.po"
        if not path.exists():
            problems[language] = ["(no catalogue)"]
            continue
        bad = []
        catalogue = polib.pofile(str(path))
        if catalogue.metadata_is_fuzzy:
            bad.append("fuzzy: (catalogue header)")
        for entry in catalogue:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                bad.append(f"fuzzy: {entry.msgid}")
            elif entry.msgid_plural:
                if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                    bad.append(entry.msgid)
            elif not entry.msgstr:
                bad.append(entry.msgid)
        if bad:
            problems[language] = bad
    return problems


def extract_into_copy(source: Path, target: Path) -> Path:
    """Copies the package and runs makemessages on the copy, so that every
    string in the code is in the copy's catalogues, translated or not."""
    copy = target / "tromeja"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    locale = copy / "locale"
    with override_settings(LOCALE_PATHS=[locale]):
        import os

        here = os.getcwd()
        os.chdir(copy)
        try:
            call_command(
                "makemessages",
                locale=list(LANGUAGES),
                no_obsolete=True,
                verbosity=0,
                ignore_patterns=["*/tests/*", "tests/*", "demo/*", "*/demo/*"],
            )
        finally:
            os.chdir(here)
    return locale


class Command(BaseCommand):
    help = "Fail if any user-facing string lacks a Slovenian, Italian or Croatian translation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Update the catalogues in the source tree (new strings arrive empty).",
        )

    def handle(self, *args, **options):
        source = Path(settings.BASE_DIR)
        if options["update"]:
            with tempfile.TemporaryDirectory() as tmp:
                locale = extract_into_copy(source, Path(tmp))
                for language in LANGUAGES:
                    rel = Path(language) / "LC_MESSAGES" / "django.po"
                    (source / "locale" / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(locale / rel, source / "locale" / rel)
            self.stdout.write("Catalogues updated.")
        with tempfile.TemporaryDirectory() as tmp:
            problems = missing_translations(extract_into_copy(source, Path(tmp)))
        if problems:
            lines = []
            for language, msgids in problems.items():
                lines.append(f"{language}: {len(msgids)} untranslated or fuzzy")
                lines.extend(f"    {m[:100]!r}" for m in msgids[:50])
            raise CommandError("Translations are incomplete:\n" + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS("Every string is translated into sl, it and hr."))
