"""The `tromeja` command: Django's manage.py with the node's own commands.

tromeja serve          web server, with an embedded background worker and the
                       deadline clock, both restarted (reason logged) when they end
tromeja worker         a background worker (run several on PostgreSQL)
tromeja health         is the clock running, a worker alive, the queue moving?
                       (exit status 1 when not)
tromeja demo           migrate, load demo data, print accounts, serve
tromeja verify-audit   check the audit trail's chain
tromeja verify-audit-export FILE  check a signed audit export (signature, key id, chain links)
tromeja rotate-signing-key        draw a new node signing key (earlier keys stay published)
tromeja rebuild-search-index      index every report, case, message and notice again
tromeja rebuild-map-cells         count every report into the map's grid again
tromeja clean-jobs     remove files of finished imports and exports (--days 30)
tromeja check-deadlines  raise request alerts at 50 %, 90 %, expiry and send them (--loop 60)
tromeja <command>      any other management command (migrate, ...)
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        if argv[1] == "demo":
            # Demo mode must be known before the settings are read.
            os.environ.setdefault("TROMEJA_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tromeja.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
