"""Worker processes for CPU-bound parts of a job (e.g. checking the rows of a
large import on every core).

The processes are spawned, not forked: a fresh interpreter is safe whatever
threads the parent runs. This module imports nothing of the project, so a
new process can load it before Django is set up; `start()` then sets Django
up with the parent's databases and language.
"""

import os


def start(databases: dict, language: str) -> None:
    """Initializer of a spawned process: Django with the parent's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tromeja.settings")
    import django
    from django.conf import settings

    django.setup()
    # The parent's databases, as the parent sees them (e.g. test databases).
    settings.DATABASES.clear()
    settings.DATABASES.update(databases)
    from django.db import connections

    connections.__dict__.pop("settings", None)
    from django.utils import translation

    translation.activate(language)


def pool(workers: int, initargs: tuple):
    import multiprocessing

    return multiprocessing.get_context("spawn").Pool(workers, initializer=start, initargs=initargs)


def parent_state() -> tuple:
    """What `start` needs from the parent process."""
    from django.conf import settings
    from django.utils import translation

    return ({k: dict(v) for k, v in settings.DATABASES.items()}, translation.get_language())
