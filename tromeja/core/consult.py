"""Reading, sharing and exporting records: what the audit trail must know.

Views and API endpoints call these right after fetching records through the
visibility rule, so that every consultation of personal data and every
disclosure leaves an entry (Directive 2016/680 art. 25).
"""

from tromeja.core import audit, context
from tromeja.core.choices import AuditAction


class PurposeRequired(Exception):
    """Personal data may be read only for a stated purpose."""


def consult(user, records) -> None:
    """Log a consultation entry for each record that holds personal data."""
    personal = [r for r in records if getattr(r, "has_personal_data", False)]
    if not personal:
        return
    if not context.current().purpose:
        raise PurposeRequired
    audit.log_many([audit.Event(AuditAction.CONSULTATION, obj=r) for r in personal], actor=user)


def consult_file(user, record, *, name: str, sha256: str) -> None:
    """Log the reading of a file attached to a record: every reading, since
    what a file holds is not known to the node."""
    audit.log(
        AuditAction.CONSULTATION,
        actor=user,
        obj=record,
        detail={"attachment": name, "sha256": sha256},
    )


def combine(user, record, matched) -> None:
    """Log that a record was shown together with others that share a person,
    vehicle, phone or document with it (Directive 2016/680 art. 25)."""
    audit.log(AuditAction.COMBINATION, actor=user, obj=record, detail={"matched": sorted(matched)})


def disclose(user, records, *, recipients=(), channel: str) -> None:
    """Log a disclosure: sharing to other countries, an export or a print."""
    audit.log_many(
        [
            audit.Event(
                AuditAction.DISCLOSURE,
                obj=r,
                recipients=tuple(recipients),
                detail={"channel": channel, "handling_code": r.handling_code},
            )
            for r in records
        ],
        actor=user,
    )
