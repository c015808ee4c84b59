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
