"""Starting the node's own commands as real processes on the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[3]


def env(**extra) -> dict:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        user, host = db["USER"] or "postgres", db["HOST"] or "127.0.0.1"
        url = f"postgresql://{user}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TROMEJA_DATA_DIR": str(settings.DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "tromeja.settings",
        **extra,
    }


def start(*args: str, **extra) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tromeja.cli", *args],
        cwd=PROJECT_DIR,
        env=env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def until(condition, timeout: float = 60.0, every: float = 0.1):
    """Waits for `condition()` to be true; returns its value (or fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {condition}")
