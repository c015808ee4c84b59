"""Is the node's background work alive? For the node administrator.

The deadline clock and every worker report in by renewing a small file in
`TROMEJA_DATA_DIR/run/` (a file, so reporting never waits for a database
lock): the clock after each round, with the error of its last round if it
failed, a worker every few seconds. `checks()` reads these and the queue and
says what is wrong: a stopped clock, no live worker, a worker gone stale,
jobs waiting too long or left by a dead worker, alerts not going out.
`tromeja health` prints them and exits non-zero when something is wrong;
/health/ shows them to the node's administrators.
"""

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WORKER_STALE = timedelta(seconds=60)
# Stale reports older than this are of workers long replaced: forgotten.
WORKER_FORGOTTEN = timedelta(hours=6)
QUEUE_STUCK = timedelta(minutes=5)
CLOCK_PERIOD = 60


def run_dir() -> Path:
    path = Path(settings.DATA_DIR) / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def worker_name() -> str:
    return f"worker-{socket.gethostname()}-{os.getpid()}"


def beat(name: str, *, error: str = "", period: int | None = None) -> None:
    """Reports `name` alive now (with the error of its last round, if any)."""
    data = {"host": socket.gethostname(), "pid": os.getpid(), "error": error[:500]}
    if period:
        data["period"] = period
    path = run_dir() / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)


def forget(name: str) -> None:
    (run_dir() / name).unlink(missing_ok=True)


def _report(path: Path) -> tuple[dict, datetime] | None:
    try:
        at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        return json.loads(path.read_text() or "{}"), at
    except (OSError, ValueError):
        return None


@dataclass
class Check:
    name: str
    ok: bool
    message: str


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return ngettext("%(n)d second ago", "%(n)d seconds ago", seconds) % {"n": seconds}
    minutes = seconds // 60
    return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Check(
            _("Database"), False, _("The database does not answer: %(error)s") % {"error": exc}
        )
    return Check(_("Database"), True, _("The database answers."))


def _clock(now) -> Check:
    name = _("Deadline clock")
    seen = _report(run_dir() / "clock")
    if seen is None:
        return Check(
            name,
            False,
            _("The deadline clock has never reported: alerts of requests are not raised."),
        )
    data, at = seen
    period = int(data.get("period") or CLOCK_PERIOD)
    if now - at > timedelta(seconds=3 * period + 30):
        return Check(
            name,
            False,
            _(
                "The deadline clock stopped: its last round was %(ago)s; "
                "alerts of requests are not raised."
            )
            % {"ago": _ago(now - at)},
        )
    if data.get("error"):
        failed = _("The deadline clock's last round failed (%(ago)s): %(error)s. It tries again.")
        error = data["error"].rstrip(".")
        return Check(name, False, failed % {"ago": _ago(now - at), "error": error})
    return Check(name, True, _("Last round %(ago)s.") % {"ago": _ago(now - at)})


def _workers(now) -> list[Check]:
    if settings.TASK_BACKEND != "database":
        return []
    name = _("Workers")
    live, stale = 0, []
    for path in sorted(run_dir().glob("worker-*")):
        seen = _report(path)
        if seen is None:
            continue
        data, at = seen
        age = now - at
        if age <= WORKER_STALE:
            live += 1
        elif age <= WORKER_FORGOTTEN:
            stale.append(
                _("The worker %(worker)s stopped reporting %(ago)s.")
                % {
                    "worker": f"{data.get('host', '?')}:{data.get('pid', '?')}",
                    "ago": _ago(age),
                }
            )
    checks = []
    if not live:
        checks.append(Check(name, False, _("No worker is running: imports and exports wait.")))
    else:
        running = ngettext("%(n)d worker running.", "%(n)d workers running.", live)
        checks.append(Check(name, True, running % {"n": live}))
    checks += [Check(name, False, message) for message in stale]
    return checks


def _queue(now) -> list[Check]:
    from tromeja.core import jobs
    from tromeja.core.choices import JobStatus
    from tromeja.core.models import Job

    name = _("Background jobs")
    checks = []
    waiting = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - QUEUE_STUCK)
    count = waiting.count()
    if count:
        waits = ngettext(
            "%(n)d job has waited more than 5 minutes for a worker.",
            "%(n)d jobs have waited more than 5 minutes for a worker.",
            count,
        )
        checks.append(Check(name, False, waits % {"n": count}))
    orphans = [job for job in Job.objects.filter(status=JobStatus.RUNNING) if jobs.lost(job, now)]
    if orphans:
        checks.append(
            Check(
                name,
                False,
                ngettext(
                    "%(n)d running job has lost its worker; it is marked failed on the next round.",
                    "%(n)d running jobs have lost their worker; "
                    "they are marked failed on the next round.",
                    len(orphans),
                )
                % {"n": len(orphans)},
            )
        )
    if not checks:
        checks.append(Check(name, True, _("No job is stuck.")))
    return checks


# Checks that modules add (AppConfig.ready()): each takes the time and gives
# a Check; they run once the database answers. Core knows no module.
_MODULE_CHECKS = []


def register(check) -> None:
    if check not in _MODULE_CHECKS:
        _MODULE_CHECKS.append(check)


def checks(now=None) -> list[Check]:
    now = now or timezone.now()
    found = [_database()]
    found.append(_clock(now))
    found += _workers(now)
    if found[0].ok:
        found += _queue(now)
        found += [check(now) for check in _MODULE_CHECKS]
    return found


def healthy(found: list[Check]) -> bool:
    return all(check.ok for check in found)
