"""The audit trail: append-only, HMAC-chained entries (Directive 2016/680 art. 25).

`log()` is the only way to write an entry; service functions call it inside
their own transaction, so an entry exists exactly when the change it records
was committed. `verify_chain()` re-computes the chain, checks it against the
signed checkpoints kept outside the database (core/checkpoints.py) and names
the first entry that does not fit.

Every entry belongs to a country's data protection officer: the acting
user's country, or, for an entry no user made (the demo loader, a command at
the node's console), the country of the user or record it is about
(`subject_country`). Only events with neither, such as a failed sign-in, are
the node's anonymous events.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tromeja.core import checkpoints, context
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


# One encoder for every entry: json.dumps() with options builds a new one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(key: bytes, values: tuple, subject_country: str = "") -> str:
    """HMAC-SHA256 over the canonical JSON of an entry's fields. The subject
    country, when there is one, is a last element of its own kind (an
    object), so entries written before it existed keep their hashes and it
    cannot be added to or taken from an entry unnoticed."""
    seq, at, *rest = values
    fields = [seq, at.astimezone(UTC).isoformat(timespec="microseconds"), *rest]
    if subject_country:
        fields.append({"subject_country": subject_country})
    payload = _ENCODER.encode(fields)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Event:
    """One thing to log; `log_many` appends several in one lock."""

    action: str
    obj: object = None
    object_type: str = ""
    object_id: str = ""
    recipients: tuple[str, ...] = ()
    detail: dict | None = None


def _object_country(obj) -> str:
    """The country of the user or record an entry is about: a user's
    country, a record's owner country, an agency's or unit's country."""
    if obj is None:
        return ""
    for attribute in ("country_code", "owner_country_id", "country_id"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _object_ref(event: Event) -> tuple[str, str]:
    if event.obj is not None:
        meta = event.obj._meta
        return f"{meta.app_label}.{meta.model_name}", str(event.obj.pk)
    return event.object_type, event.object_id


# The fields by which a part names the record it belongs to, nearest first.
_PARENTS = ("case", "incident", "notice", "message")


@dataclass(frozen=True)
class Root:
    """The record an entry is about as a whole (the case of a message)."""

    type: str = ""
    id: str = ""
    reference: str = ""
    country: str = ""


@dataclass(frozen=True)
class _Unloaded:
    model: type
    pk: object


def _label(obj) -> str:
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}"


def _step(obj):
    """One step from a part towards its record: the record itself when it is
    one, the parent object when it is loaded, an `_Unloaded` parent when not.
    A model may name its record with an `audit_root` attribute (or method)."""
    hook = getattr(type(obj), "audit_root", None)
    if hook is not None:
        parent = obj.audit_root
        parent = parent() if callable(parent) else parent
        return obj if parent is None or parent is obj else parent
    for field in _parent_fields(type(obj)):
        pk = getattr(obj, field.attname)
        if pk is None:
            continue
        if field.is_cached(obj):
            return getattr(obj, field.name)
        return _Unloaded(field.related_model, pk)
    return obj


_parent_fields_of: dict[type, tuple] = {}


def _parent_fields(model) -> tuple:
    """The model's foreign keys named in _PARENTS, nearest first (cached)."""
    found = _parent_fields_of.get(model)
    if found is None:
        from django.core.exceptions import FieldDoesNotExist

        fields = []
        for name in _PARENTS:
            try:
                field = model._meta.get_field(name)
            except (FieldDoesNotExist, AttributeError):
                continue
            if field.many_to_one:
                fields.append(field)
        found = _parent_fields_of[model] = tuple(fields)
    return found


def _describe(root) -> Root:
    if isinstance(root, _Unloaded):
        return Root(f"{root.model._meta.app_label}.{root.model._meta.model_name}", str(root.pk))
    reference = getattr(root, "reference", "")
    # A record numbered at the end of its transaction has a placeholder first.
    if not isinstance(reference, str) or reference.startswith("~"):
        reference = ""
    country = getattr(root, "owner_country_id", "")
    return Root(
        _label(root), str(root.pk), reference[:32], country if isinstance(country, str) else ""
    )


def roots(objects) -> list[Root]:
    """The record each object belongs to, with one query per kind of parent
    not yet loaded (none when they are, as for a case page's messages)."""
    current = list(objects)
    gone = set()
    for _depth in range(len(_PARENTS) + 2):
        changed = False
        stepped = []
        for item in current:
            following = item if isinstance(item, _Unloaded) else _step(item)
            changed |= following is not item
            stepped.append(following)
        wanted = {}
        for item in stepped:
            if isinstance(item, _Unloaded) and (item.model, item.pk) not in gone:
                wanted.setdefault(item.model, set()).add(item.pk)
        found = {}
        for model, pks in wanted.items():
            for parent in model._base_manager.filter(pk__in=pks):
                found[(model, parent.pk)] = parent
            # A parent erased in the same transaction is named by type and id.
            gone |= {(model, pk) for pk in pks if (model, pk) not in found}
        current = [
            found.get((i.model, i.pk), i) if isinstance(i, _Unloaded) else i for i in stepped
        ]
        if not changed and not found:
            break
    return [_describe(item) for item in current]


def log(
    action: str, *, actor=None, obj=None, object_type="", object_id="", recipients=(), detail=None
) -> AuditEntry | None:
    """Appends one entry (None inside `batched()`: it is appended at the end)."""
    entries = log_many(
        [Event(action, obj, object_type, str(object_id), tuple(recipients), detail)],
        actor=actor,
    )
    return entries[0] if entries else None


# Events waiting for the end of a batched() block: [(actor, [Event, ...]), ...].
_pending: ContextVar[list | None] = ContextVar("audit_pending", default=None)


@contextmanager
def batched():
    """Entries logged inside the block are appended together when it ends,
    in the order they were logged. The chain's lock is then held from the
    end of the block to the commit, not for the whole transaction, so
    concurrent writers wait for each other only that long. Use it as the
    innermost block of the transaction whose changes the entries record:
    `with transaction.atomic(), audit.batched():`. If the block fails,
    nothing is logged (and the transaction rolls back)."""
    if _pending.get() is not None:
        yield
        return
    pending = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # One append per run of the same actor (usually one for the whole block).
    runs: list[tuple[object, list]] = []
    for actor, events in pending:
        if runs and runs[-1][0] is actor:
            runs[-1][1].extend(events)
        else:
            runs.append((actor, list(events)))
    for actor, events in runs:
        log_many(events, actor=actor)


def log_many(events: Iterable[Event], *, actor=None) -> list[AuditEntry]:
    events = list(events)
    if not events:
        return []
    pending = _pending.get()
    if pending is not None:
        pending.append((actor, events))
        return []
    ctx = context.current()
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    username = getattr(actor, "username", "") if actor is not None else ""
    country = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        country = actor.country_code or ""
    key = _key()
    found = iter(roots([e.obj for e in events if e.obj is not None]))
    event_roots = [
        next(found) if e.obj is not None else Root(e.object_type, e.object_id) for e in events
    ]
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, seq=0, entry_hash=GENESIS)
        seq, prev = head.seq, head.entry_hash
        before = seq
        now = timezone.now()
        entries = []
        for event, root in zip(events, event_roots, strict=True):
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
            # Without an acting user, the entry belongs to the country it is about.
            subject = "" if country else _object_country(event.obj)
            digest = _digest(key, values, subject)
            entries.append(
                AuditEntry(
                    **dict(zip(_FIELDS, values, strict=True)),
                    subject_country=subject,
                    entry_hash=digest,
                    root_type=root.type[:64],
                    root_id=root.id[:64],
                    record_ref=root.reference,
                    root_country=root.country[:2],
                )
            )
            prev = digest
        _insert(entries)
        head.seq, head.entry_hash = seq, prev
        head.save(update_fields=["seq", "entry_hash"])
        checkpoints.after_append(before, seq, prev)
    return entries


_INSERT_FIELDS = (
    *_FIELDS,
    "subject_country",
    "entry_hash",
    "root_type",
    "root_id",
    "record_ref",
    "root_country",
)


def _insert(entries: list[AuditEntry]):
    """One prepared single-row INSERT run for every entry (`executemany`,
    pipelined by the PostgreSQL driver), with the fields' own database
    conversion: the ORM's bulk_create spends more per row than the HMAC."""
    from django.db import connection

    fields = [AuditEntry._meta.get_field(name) for name in _INSERT_FIELDS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    plain = {
        "seq",
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
        "prev_hash",
        "subject_country",
        "entry_hash",
        "root_type",
        "root_id",
        "record_ref",
        "root_country",
    }
    convert = [None if f.name in plain else f for f in fields]
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [
        [
            getattr(entry, name)
            if field is None
            else field.get_db_prep_save(getattr(entry, name), connection)
            for field, name in zip(convert, _INSERT_FIELDS, strict=True)
        ]
        for entry in entries
    ]
    with connection.cursor() as cursor:
        # Names come from the model, every value is a parameter.
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_pk: int | None = None
    reason: str = ""
    # The checkpoint the trail was held against: the newest one when intact,
    # the one that shows the loss when not.
    checkpoint: checkpoints.Checkpoint | None = None
    anchors: checkpoints.Anchors | None = None


@dataclass
class _RangeResult:
    """What one worker found in seq lo..hi: its first link, its last hash, and
    the first break, if any."""

    checked: int
    first_prev: str | None
    last_hash: str | None
    broken: VerifyResult | None = None


_SELECT = (
    "SELECT id, seq, at, action, actor_id, actor_username, actor_country, object_type, "
    "object_id, purpose, recipients, request_id, source_ip, {detail}, prev_hash, "
    "subject_country, entry_hash "
    "FROM core_auditentry WHERE seq >= %s AND seq <= %s ORDER BY seq"
)


def _rows(lo: int, hi: int, chunk: int):
    """Raw rows with plain Python values: the ORM's per-row conversion would
    cost more than the HMACs themselves on a million entries."""
    from django.db import connection

    detail = "detail::text" if connection.vendor == "postgresql" else "detail"
    with connection.chunked_cursor() as cursor:
        cursor.execute(_SELECT.format(detail=detail), [lo, hi])
        while True:
            batch = cursor.fetchmany(chunk)
            if not batch:
                return
            yield from batch


def _verify_range(
    lo: int, hi: int, key: bytes, *, last: bool = True, chunk: int = 20000, progress=None
) -> _RangeResult:
    expected = lo
    prev = None
    first_prev = None
    loads = json.loads
    for row in _rows(lo, hi, chunk):
        pk, seq, at, *middle, detail, prev_hash, subject, stored = row
        if seq != expected:
            broken = VerifyResult(False, 0, expected, pk, "missing-or-reordered")
            return _RangeResult(seq - lo, first_prev, prev, broken)
        if first_prev is None:
            first_prev = prev_hash
        elif prev_hash != prev:
            return _RangeResult(
                seq - lo, first_prev, prev, VerifyResult(False, 0, seq, pk, "broken-link")
            )
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if isinstance(detail, str):
            detail = loads(detail)
        values = (seq, at, *middle, detail, prev_hash)
        if not hmac.compare_digest(_digest(key, values, subject), stored):
            return _RangeResult(
                seq - lo, first_prev, prev, VerifyResult(False, 0, seq, pk, "altered")
            )
        prev = stored
        expected += 1
        if progress and (expected - lo) % 100000 == 0:
            progress(expected - lo)
    if expected != hi + 1:
        # Entries missing at the end of this range (of the whole log, if last).
        reason = "truncated" if last else "missing-or-reordered"
        return _RangeResult(
            expected - lo, first_prev, prev, VerifyResult(False, 0, expected, None, reason)
        )
    return _RangeResult(expected - lo, first_prev, prev)


def _verify_in_child(args):
    from django.db import connections

    lo, hi, key, last = args
    try:
        return _verify_range(lo, hi, key, last=last)
    finally:
        connections.close_all()


# Below this many entries one process is faster than starting workers.
PARALLEL_FROM = 200_000


def verify_chain(*, workers: int | None = None, progress=None) -> VerifyResult:
    """Recompute the chain, hold it against the checkpoints, and name the
    first entry that does not fit.

    Large logs are split into contiguous ranges of sequence numbers checked in
    parallel, one process per core; the ranges are then stitched: each must
    start from the hash the previous one ended with."""
    key = _key()
    # Read before the trail: every checkpoint in the file was written after
    # the commit of the entries it saw, so the trail read next holds them.
    anchors = checkpoints.read()
    result = _verify_entries(key, workers=workers, progress=progress)
    result.anchors = anchors
    if not result.ok:
        return result
    return _hold_against(result, anchors)


def _hold_against(result: VerifyResult, anchors: checkpoints.Anchors) -> VerifyResult:
    """Every entry a checkpoint saw must be in the (verified) trail with the
    hash the checkpoint saw. The first checkpoint that does not fit is named."""
    if anchors.forged:
        result.ok, result.reason = False, "forged-checkpoint"
        return result
    seen = sorted(
        {(c.seq, c.hmac): c for c in anchors.valid if c.seq > 0}.values(), key=lambda c: c.seq
    )
    top = result.checked
    within = [c for c in seen if c.seq <= top]
    stored = {}
    for start in range(0, len(within), 500):
        chunk = [c.seq for c in within[start : start + 500]]
        stored.update(AuditEntry.objects.filter(seq__in=chunk).values_list("seq", "entry_hash"))
    for checkpoint in within:
        if stored.get(checkpoint.seq) != checkpoint.hmac:
            result.ok, result.reason = False, "differs-from-checkpoint"
            result.broken_seq, result.checkpoint = checkpoint.seq, checkpoint
            return result
    beyond = [c for c in seen if c.seq > top]
    if beyond:
        result.ok, result.reason = False, "cut-after-checkpoint"
        result.broken_seq, result.checkpoint = top + 1, beyond[-1]
        return result
    result.checkpoint = anchors.newest
    return result


def _verify_entries(key: bytes, *, workers: int | None, progress) -> VerifyResult:
    import os

    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.entry_hash if head else GENESIS
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    top = max(head_seq, last_seq)
    workers = workers or (os.cpu_count() or 1)
    if top < PARALLEL_FROM or workers < 2:
        results = [_verify_range(1, top, key, progress=progress)] if top else []
    else:
        import multiprocessing

        from django.db import connections

        size = -(-top // workers)
        ranges = [
            (lo, min(lo + size - 1, top), key, lo + size > top) for lo in range(1, top + 1, size)
        ]
        connections.close_all()  # each child opens its own connection
        with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
            results = pool.map(_verify_in_child, ranges)
    checked = 0
    prev = GENESIS
    for result in results:
        if result.first_prev is not None and result.first_prev != prev:
            start = checked + 1
            return VerifyResult(False, checked, start, None, "broken-link")
        if result.broken is not None:
            result.broken.checked = checked + result.checked
            return result.broken
        checked += result.checked
        prev = result.last_hash or prev
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, checked + 1, None, "truncated")
    return VerifyResult(True, checked)


__all__ = [
    "AuditAction",
    "Event",
    "Root",
    "log",
    "log_many",
    "roots",
    "verify_chain",
    "VerifyResult",
]
