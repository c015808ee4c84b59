"""The audit trail of a search (Directive 2016/680 art. 25).

A search is a consultation: what was searched may itself be personal data
(a name, a plate, a phone number; free text may hold a name), so every
search needs the working purpose and leaves one CONSULTATION entry naming
the kinds of key searched with their normalised values and the records
shown; each record shown that holds personal data gets its own
consultation entry as well, as when its page is opened (core/consult.py).
"""

from django.core.exceptions import PermissionDenied

from tromeja.core import audit, context
from tromeja.core.choices import AuditAction
from tromeja.core.consult import PurposeRequired, consult
from tromeja.core.roles import Perm
from tromeja.search import queries


def may_search(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm_code(Perm.VIEW_RECORDS))


def search(user, text: str, groups=queries.GROUPS) -> tuple[queries.Parsed, list[queries.Group]]:
    """Search as `user` and write the search to the audit trail. Raises
    PermissionDenied for a role that reads no records, PurposeRequired
    without a working purpose (before anything is looked up)."""
    if not may_search(user):
        raise PermissionDenied
    parsed = queries.parse(text, user.country_code)
    if parsed.empty:
        return parsed, []
    if not context.current().purpose:
        raise PurposeRequired
    found = queries.search(user, parsed, groups)
    shown = [h for g in found for h in g.hits]
    audit.log(
        AuditAction.CONSULTATION,
        actor=user,
        object_type="search",
        detail={
            "searched": [{"kind": kind, "value": value} for kind, value in parsed.searched],
            "groups": list(groups),
            "shown": [{"type": h.kind, "id": str(h.id), "reference": h.reference} for h in shown],
        },
    )
    consult(user, [r for h in shown for r in h.records])
    return parsed, found
