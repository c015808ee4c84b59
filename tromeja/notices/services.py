"""Every write on notices: used by the form, the API and the demo alike."""

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.consult import disclose
from tromeja.core.exports import HANDLING_COLUMNS, handling_cells, safe_cell
from tromeja.core.records import Action
from tromeja.core.roles import Perm
from tromeja.core.services import recipients_of, validate_distribution
from tromeja.core.transitions import lock
from tromeja.notices.models import Notice

# Fields a caller may set; the record base's bookkeeping is set here.
EDITABLE = (
    "kind",
    "title",
    "body",
    "persons_concerned",
    "valid_until",
    "handling_code",
    "handling_note",
    "source_reliability",
    "information_accuracy",
    "has_personal_data",
    "data_subject_category",
    "review_by",
)


def _apply(notice: Notice, fields: dict) -> list[str]:
    changed = []
    for name in EDITABLE:
        if name in fields and getattr(notice, name) != fields[name]:
            setattr(notice, name, fields[name])
            changed.append(name)
    return changed


def _share(notice: Notice, *, user, distribution, shared_with, before: set[str]):
    codes = validate_distribution(user=user, distribution=distribution, countries=shared_with)
    notice.distribution = distribution
    notice.save(update_fields=["distribution"])
    notice.shared_with.set(codes)
    added = recipients_of(notice) - before
    if added:
        disclose(user, [notice], recipients=sorted(added), channel="share")
    return added


def create_notice(*, user, distribution="national", shared_with=(), **fields) -> Notice:
    if not user.has_perm_code(Perm.CREATE_RECORDS) or not user.unit_id:
        raise PermissionDenied
    if distribution != "national" and not user.has_perm_code(Perm.SHARE_RECORDS):
        raise ValidationError({"distribution": _("Your roles do not allow sharing records.")})
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    notice = Notice(
        owner_agency=user.agency,
        owner_country_id=user.country_code,
        created_by=user,
        updated_by=user,
    )
    _apply(notice, fields)
    notice.full_clean(exclude=["owner_agency", "owner_country", "created_by", "updated_by"])
    validate_distribution(user=user, distribution=distribution, countries=shared_with)
    with transaction.atomic():
        notice.save()
        audit.log(AuditAction.COLLECTION, actor=user, obj=notice)
        _share(notice, user=user, distribution=distribution, shared_with=shared_with, before=set())
    return notice


def update_notice(*, user, notice: Notice, distribution=None, shared_with=None, **fields):
    # The caller fetched the notice through restrict(user, "change"); check again
    # so that no caller can skip it.
    if not Notice.objects.restrict(user, Action.CHANGE).filter(pk=notice.pk).exists():
        raise PermissionDenied
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    sharing = distribution is not None or shared_with is not None
    new_distribution = distribution if distribution is not None else notice.distribution
    new_countries = (
        shared_with
        if shared_with is not None
        else list(notice.shared_with.values_list("code", flat=True))
    )
    if sharing and not user.has_perm_code(Perm.SHARE_RECORDS):
        current = sorted(notice.shared_with.values_list("code", flat=True))
        if new_distribution != notice.distribution or sorted(new_countries) != current:
            raise ValidationError({"distribution": _("Your roles do not allow sharing records.")})
    changed = _apply(notice, fields)
    notice.full_clean(exclude=["owner_agency", "owner_country", "created_by", "updated_by"])
    validate_distribution(user=user, distribution=new_distribution, countries=new_countries)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        before = recipients_of(locked)
        if changed:
            notice.version = locked.version + 1
            notice.updated_by = user
            notice.updated_at = timezone.now()
            notice.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
            audit.log(AuditAction.ALTERATION, actor=user, obj=notice, detail={"fields": changed})
        if sharing:
            _share(
                notice,
                user=user,
                distribution=new_distribution,
                shared_with=new_countries,
                before=before,
            )
    return notice


def erase_notice(*, user, notice: Notice) -> None:
    if not Notice.objects.restrict(user, Action.DELETE).filter(pk=notice.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        # Erased once: a second erasure at the same moment finds nothing.
        lock(notice)
        pk = notice.pk
        notice.delete()
        # The erasure entry names the record and nothing of its content.
        audit.log(AuditAction.ERASURE, actor=user, object_type="notices.notice", object_id=str(pk))


def export_csv(*, user, notices) -> str:
    """CSV of notices the user may export: the header first, then one row per
    notice carrying its handling code, the code's text and the H3
    restrictions (core/exports.py). Logs a disclosure for every exported notice."""
    notices = list(notices)
    columns = (
        "id",
        "kind",
        "title",
        "owner_country",
        "created",
        "evaluation_code",
        "distribution",
        "text",
        *HANDLING_COLUMNS,
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for n in notices:
        row = {
            "id": n.pk,
            "kind": n.get_kind_display(),
            "title": n.title,
            "owner_country": n.owner_country_id,
            "created": timezone.localtime(n.created_at).isoformat(timespec="minutes"),
            "evaluation_code": n.evaluation_code,
            "distribution": n.get_distribution_display(),
            "text": n.body,
            **handling_cells(n),
        }
        writer.writerow([safe_cell(row[c]) for c in columns])
    disclose(user, notices, channel="export")
    return out.getvalue()
