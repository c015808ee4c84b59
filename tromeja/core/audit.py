"""The audit trail: append-only, HMAC-chained entries (Directive 2016/680 art. 25).

`log()` is the only way to write an entry; service functions call it inside
their own transaction, so an entry exists exactly when the change it records
was committed. `verify_chain()` re-computes the chain and names the first
entry that does not fit.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tromeja.core import context
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64
_FIELDS = (
    "seq",
    "at",
    "action",
    "actor_id",
    "actor_username",
    "actor_country",
    "object_type",
    "object_id",
    "purpose",
    "recipients",
    "request_id",
    "source_ip",
    "detail",
    "prev_hash",
)


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def _digest(key: bytes, values: tuple) -> str:
    (seq, at, action, actor_id, username, country, otype, oid, purpose, recipients, rid, ip,
     detail, prev) = values  # fmt: skip
    payload = json.dumps(
        [
            seq,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            action,
            actor_id,
            username,
            country,
            otype,
            oid,
            purpose,
            recipients,
            rid,
            ip,
            detail,
            prev,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Event:
    """One thing to log; `log_many` appends several in one lock."""

    action: str
    obj: object = None
    object_type: str = ""
    object_id: str = ""
    recipients: tuple[str, ...] = ()
    detail: dict | None = None


def _object_ref(event: Event) -> tuple[str, str]:
    if event.obj is not None:
        meta = event.obj._meta
        return f"{meta.app_label}.{meta.model_name}", str(event.obj.pk)
    return event.object_type, event.object_id


def log(action: str, *, actor=None, obj=None, object_type="", object_id="", recipients=(),
        detail=None) -> AuditEntry:  # fmt: skip
    return log_many(
        [Event(action, obj, object_type, str(object_id), tuple(recipients), detail)],
        actor=actor,
    )[0]


def log_many(events: Iterable[Event], *, actor=None) -> list[AuditEntry]:
    events = list(events)
    if not events:
        return []
    ctx = context.current()
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    username = getattr(actor, "username", "") if actor is not None else ""
    country = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        country = actor.country_code or ""
    key = _key()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, seq=0, entry_hash=GENESIS)
        seq, prev = head.seq, head.entry_hash
        now = timezone.now()
        entries = []
        for event in events:
            seq += 1
            object_type, object_id = _object_ref(event)
            values = (
                seq,
                now,
                str(event.action),
                actor_id,
                username,
                country,
                object_type,
                object_id,
                ctx.purpose[:300],
                ",".join(sorted(event.recipients)),
                ctx.request_id,
                ctx.source_ip,
                event.detail or {},
                prev,
            )
            digest = _digest(key, values)
            entries.append(AuditEntry(**dict(zip(_FIELDS, values, strict=True)), entry_hash=digest))
            prev = digest
        AuditEntry.objects.bulk_create(entries)
        head.seq, head.entry_hash = seq, prev
        head.save(update_fields=["seq", "entry_hash"])
    return entries


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_pk: int | None = None
    reason: str = ""


def verify_chain(*, chunk_size: int = 20000, progress=None) -> VerifyResult:
    """Walk the chain in order and recompute every HMAC."""
    key = _key()
    expected_seq = 1
    prev = GENESIS
    checked = 0
    rows = (
        AuditEntry.objects.order_by("seq")
        .values_list("pk", *_FIELDS, "entry_hash")
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        pk, values, stored = row[0], row[1:-1], row[-1]
        seq = values[0]
        if seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, pk, "missing-or-reordered")
        if values[-1] != prev:
            return VerifyResult(False, checked, seq, pk, "broken-link")
        digest = _digest(key, values)
        if not hmac.compare_digest(digest, stored):
            return VerifyResult(False, checked, seq, pk, "altered")
        prev = stored
        expected_seq += 1
        checked += 1
        if progress and checked % 100000 == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.entry_hash if head else GENESIS
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, checked + 1, None, "truncated")
    return VerifyResult(True, checked)


__all__ = ["AuditAction", "Event", "log", "log_many", "verify_chain", "VerifyResult"]
