from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tromeja.auditlog.signed import verify_document

REASONS = {
    "not-an-export": gettext_noop("The file is not a signed audit export of this software."),
    "other-key": gettext_noop("The file is not signed with the public key given."),
    "key-id-mismatch": gettext_noop("The key id in the file does not belong to its public key."),
    "bad-signature": gettext_noop(
        "The signature does not match the content: the file was changed."
    ),
    "count-mismatch": gettext_noop("The number of entries does not match the one signed."),
    "broken-link": gettext_noop(
        "Entries that follow each other in the chain do not link up: %(where)s."
    ),
}


class Command(BaseCommand):
    help = (
        "Check a signed audit export (JSON): its Ed25519 signature, its key id and the "
        "chain links between consecutive entries. Exit status 1 when it does not verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--public-key",
            help="the node's public key (base64) as it publishes it; the file must be signed "
            "by this key",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc}
            raise CommandError(message) from None
        result = verify_document(raw, public_key=options.get("public_key"))
        if not result.ok:
            message = _(REASONS[result.reason]) % {"where": ", ".join(result.problems[:10])}
            raise CommandError(message)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Signature valid (key %(key)s): %(count)d entries, "
                    "%(linked)d chain links checked."
                )
                % {"key": result.key_id, "count": result.total, "linked": result.linked}
            )
        )
        if result.node_key:
            self.stdout.write(_("The key is one of this node's signing keys."))
        elif options.get("public_key") is None:
            self.stdout.write(
                _(
                    "The key is not one of this node's: compare its public key with the one "
                    "the signing node publishes (or pass it with --public-key)."
                )
            )
