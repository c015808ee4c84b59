import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tromeja.core import checkpoints
from tromeja.core.audit import verify_chain


def _number(value: int) -> str:
    return f"{value:,}"


class Command(BaseCommand):
    help = (
        "Check that no audit entry was changed, removed or reordered, and that the trail "
        "still holds every entry its checkpoints saw; then checkpoint the verified trail."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        result = verify_chain(
            progress=lambda n: self.stderr.write(
                _("  %(count)s entries checked…") % {"count": _number(n)}
            )
        )
        elapsed = time.monotonic() - started
        if not result.ok:
            raise CommandError(self.broken(result))
        self.stdout.write(
            self.style.SUCCESS(
                _("Audit trail intact: %(count)s entries verified in %(seconds)s s.")
                % {"count": _number(result.checked), "seconds": f"{elapsed:.1f}"}
            )
        )
        anchors = result.anchors
        if anchors is not None and anchors.incomplete:
            self.stdout.write(
                _("The last line of %(file)s is incomplete (the node stopped while writing it).")
                % {"file": checkpoints.path()}
            )
        if result.checkpoint is not None:
            self.stdout.write(
                _(
                    "It holds entry %(seq)s as the checkpoint of %(time)s saw it (the newest of "
                    "%(count)s in %(file)s). If the node's log names a later checkpoint "
                    '("audit checkpoint"), the checkpoint file was cut too.'
                )
                % {
                    "seq": _number(result.checkpoint.seq),
                    "time": result.checkpoint.at,
                    "count": _number(len(anchors.valid)),
                    "file": checkpoints.path(),
                }
            )
        else:
            self.stdout.write(
                _(
                    "No checkpoint yet in %(file)s: entries cut from the end before now cannot "
                    "be told apart from a shorter trail. This run writes the first checkpoint."
                )
                % {"file": checkpoints.path()}
            )
        if checkpoints.anchor(reason="verify-audit") is None:
            raise CommandError(
                _("Could not write a checkpoint to %(file)s: see the node's log.")
                % {"file": checkpoints.path()}
            )

    def broken(self, result) -> str:
        checkpoint = result.checkpoint
        if result.reason == "forged-checkpoint":
            lines = ", ".join(str(n) for n in result.anchors.forged[:10])
            return _(
                "Audit checkpoints FORGED: line %(lines)s of %(file)s is not signed with this "
                "node's audit key (the file was written to, or the key changed)."
            ) % {"lines": lines, "file": checkpoints.path()}
        if result.reason == "cut-after-checkpoint":
            if result.checked == 0:
                return _(
                    "Audit trail BROKEN: it holds no entries, but the checkpoint of %(time)s saw "
                    "entry %(seen)s: entries were removed."
                ) % {"time": checkpoint.at, "seen": _number(checkpoint.seq)}
            return _(
                "Audit trail BROKEN: it ends at entry %(last)s, but the checkpoint of %(time)s "
                "saw entry %(seen)s: entries were removed. The %(last)s entries it holds verify."
            ) % {
                "last": _number(result.checked),
                "time": checkpoint.at,
                "seen": _number(checkpoint.seq),
            }
        if result.reason == "differs-from-checkpoint":
            return _(
                "Audit trail BROKEN: entry #%(seq)s is not the entry the checkpoint of %(time)s "
                "saw: entries up to it were removed or replaced, and the trail was continued "
                "from there."
            ) % {"seq": result.broken_seq, "time": checkpoint.at}
        reasons = {
            "altered": _("its content does not match its hash (changed)"),
            "broken-link": _("it does not follow the entry before it (an entry was changed)"),
            "missing-or-reordered": _("the sequence is broken (an entry was removed or moved)"),
            "truncated": _("entries were removed from the end of the log"),
        }
        if result.broken_pk is not None:
            where = _("entry #%(seq)s (row id %(pk)s)") % {
                "seq": result.broken_seq,
                "pk": result.broken_pk,
            }
        else:
            where = _("entry #%(seq)s") % {"seq": result.broken_seq}
        return _(
            "Audit trail BROKEN at %(where)s: %(reason)s. %(count)s entries before it verified."
        ) % {"where": where, "reason": reasons[result.reason], "count": _number(result.checked)}
