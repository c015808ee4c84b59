"""The search: what a query is, where it is looked up, and the hits the user
may see, grouped by kind.

A query is read three ways at once (tromeja.entities decides what it can
be, nothing is re-implemented here):

* a reference of a report (HR-2026-000123) or a case (SI-C-2026-000004),
  looked up by the unique index on the reference;
* the cross-match keys it can be (a plate, a document number, a phone
  number, a name), looked up by (kind, key) in the incident index
  (EntityRef) and the subjects of contact-point messages;
* the words of the free text, looked up in the full-text index of the
  database (tromeja/search/index.py).

Every candidate found is checked with the record's one visibility rule
(`restrict(user)`) before anything about it is read: a record the user may
not see is not counted, not shown, not hinted at. Hits are read newest
first, at most PER_GROUP of a group (and whether there are more).
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import pycountry
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from tromeja import entities
from tromeja.core.roles import Perm
from tromeja.search import index

MAX_QUERY = 200
MAX_TERMS = 8
MAX_TERM = 40
PER_GROUP = 20
# Free-text candidates read per kind, newest first, before giving up on
# finding more the user may see: a bound on the work, whatever the word.
MAX_CANDIDATES = 10_000
SNIPPET = 160
# Distinct keys of a plate or document number (one per country it is
# registered in) looked up one by one.
MAX_KEYS = 10

REPORTS, EXCHANGE, NOTICES = "reports", "exchange", "notices"
GROUPS = (REPORTS, EXCHANGE, NOTICES)

_WORD = re.compile(r"[^\W_]+")
_INCIDENT_REF = re.compile(r"^([A-Z]{2})-(\d{4})-(\d{1,6})$")
_CASE_REF = re.compile(r"^([A-Z]{2})-C-(\d{4})-(\d{1,6})$")
_NAME = re.compile(r"^[^\W\d_]+(?:[\s'\-.]+[^\W\d_]+){0,3}$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-./]+$")
# Every ISO 3166 country and the unknown one: a plate or a document is keyed
# with its country, which a query does not give.
_COUNTRIES = sorted({c.alpha_2 for c in pycountry.countries} | {"??"})


@dataclass
class Parsed:
    """A query as read: what it can be, normalised."""

    text: str
    terms: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    # (kind, [keys]) of the cross-match; exact keys
    keys: list[tuple[str, list[str]]] = field(default_factory=list)
    # person key prefixes: (exact, range start, range end) conditions
    names: list[str] = field(default_factory=list)
    # what was searched, for the audit trail: (kind of key, normalised value)
    searched: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.references or self.keys or self.names)


def clean_query(text: str) -> str:
    """The query without NUL and control characters, single spaces."""
    text = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text or "")
    return " ".join(text.split())


def parse(text: str, region: str | None) -> Parsed:
    """What `text` can be; `region` reads phone numbers without a country
    code (the user's country)."""
    text = clean_query(text)[:MAX_QUERY]
    parsed = Parsed(text=text)
    if not text:
        return parsed
    terms = []
    for word in _WORD.findall(index.fold(text)):
        if word not in terms and len(terms) < MAX_TERMS:
            terms.append(word[:MAX_TERM])
    parsed.terms = terms
    if terms:
        parsed.searched.append(("text", " ".join(terms)))
    upper = re.sub(r"\s+", "", text.upper())
    for pattern, fmt in (
        (_INCIDENT_REF, "{0}-{1}-{2:0>6}"),
        (_CASE_REF, "{0}-C-{1}-{2:0>6}"),
    ):
        m = pattern.match(upper)
        if m:
            parsed.references.append(fmt.format(*m.groups()))
            parsed.searched.append(("reference", parsed.references[-1]))
    if parsed.references:
        return parsed
    # A plate and a document: the key with every country.
    for kind, make in (
        (entities.VEHICLE, entities.plate_key),
        (entities.DOCUMENT, entities.document_key),
    ):
        try:
            compact = make(text, "??").split(":", 1)[1]
        except ValidationError:
            continue
        if not any(c.isdigit() for c in compact):
            continue  # a word, not a plate or a document number
        parsed.keys.append((kind, [f"{cc}:{compact}" for cc in _COUNTRIES]))
        parsed.searched.append((kind, compact))
    if _PHONE_CHARS.match(text) and sum(c.isdigit() for c in text) >= 6:
        try:
            number = entities.phone_key(text, region)
        except ValidationError:
            number = None
        if number:
            parsed.keys.append((entities.PHONE, [number]))
            parsed.searched.append((entities.PHONE, number))
    if _NAME.match(text):
        words = [entities.fold_name(w) for w in re.split(r"[\s]+", text) if entities.fold_name(w)]
        prefixes = [f"{' '.join(words)}|"]
        for i in range(1, len(words)):
            prefixes.append(f"{' '.join(words[:i])}|{' '.join(words[i:])}")
            prefixes.append(f"{' '.join(words[i:])}|{' '.join(words[:i])}")
        parsed.names = list(dict.fromkeys(prefixes))
        parsed.searched.append((entities.PERSON, " ".join(words)))
    return parsed


def _name_condition(prefixes, prefix="") -> Q:
    """Person keys 'surname|given names' for the prefixes: a surname alone
    ('dordevic|') matches every given name; 'dordevic|marco' the given names
    that start with the word 'marco'. Ranges on the (kind, key) index."""
    condition = Q(pk__in=[])
    for p in prefixes:
        if p.endswith("|"):
            condition |= Q(**{f"{prefix}key__gte": p, f"{prefix}key__lt": p[:-1] + "}"})
        else:
            condition |= Q(**{f"{prefix}key": p}) | Q(
                **{f"{prefix}key__gte": p + " ", f"{prefix}key__lt": p + "!"}
            )
    return Q(**{f"{prefix}kind": entities.PERSON}) & condition


def _key_condition(parsed: Parsed, prefix="") -> Q:
    condition = Q(pk__in=[])
    for kind, keys in parsed.keys:
        condition |= Q(**{f"{prefix}kind": kind, f"{prefix}key__in": keys})
    if parsed.names:
        condition |= _name_condition(parsed.names, prefix)
    return condition


# --- Free text ------------------------------------------------------------------


def _text_candidates(kind: str, terms: list[str], below: int | None, limit: int):
    """(entry id, record id) of the newest `limit` entries of `kind` holding
    every term, with entry ids below `below`."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            # The table is a constant; the words are parameters.
            sql = (
                f"SELECT id, source FROM {index.ENTRY_TABLE} WHERE kind = %s "  # noqa: S608
                "AND document @@ plainto_tsquery('simple', search_fold(%s))"
            )
            params = [kind, " ".join(terms)]
            if below is not None:
                sql += " AND id < %s"
                params.append(below)
            c.execute(sql + " ORDER BY id DESC LIMIT %s", [*params, limit])
            return [(i, s if isinstance(s, uuid.UUID) else uuid.UUID(str(s))) for i, s in c]
        fts = index.fts_table(kind)
        # Every term quoted: FTS5 query syntax in the text is only text.
        match = " ".join(f'"{t}"' for t in terms)
        sql = (
            f"SELECT t.rowid, e.source FROM {fts} t JOIN {index.ENTRY_TABLE} e "  # noqa: S608
            f"ON e.id = t.rowid WHERE {fts} MATCH %s"
        )
        params = [match]
        if below is not None:
            sql += " AND t.rowid < %s"
            params.append(below)
        c.execute(sql + " ORDER BY t.rowid DESC LIMIT %s", [*params, limit])
        return [(i, uuid.UUID(str(s))) for i, s in c.fetchall()]


def text_matches(visible, kind: str, terms: list[str], wanted: int) -> list[uuid.UUID]:
    """Ids of the newest `wanted` records of `visible` (a queryset through the
    visibility rule) whose indexed text holds every term."""
    if not terms or visible.query.is_empty():
        return []
    found, below, batch, read = [], None, 50, 0
    while len(found) < wanted and read < MAX_CANDIDATES:
        rows = _text_candidates(kind, terms, below, batch)
        if not rows:
            break
        read += len(rows)
        ids = [s for _, s in rows]
        seen = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
        found += [s for s in ids if s in seen]
        if len(rows) < batch:
            break
        below = rows[-1][0]
        batch = min(batch * 4, 2000)
    return found[:wanted]


# --- Hits ------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str  # incident, case, notice
    id: uuid.UUID
    reference: str
    title: str
    date: datetime
    owner_country: str
    snippet: str
    highlights: list[tuple[int, int]]
    matched: list[str]
    url: str
    records: list = field(default_factory=list)  # what was read to show it

    def segments(self):
        """(text, highlighted) pieces of the snippet, for the template."""
        out, at = [], 0
        for start, end in self.highlights:
            if start > at:
                out.append((self.snippet[at:start], False))
            out.append((self.snippet[start:end], True))
            at = end
        if at < len(self.snippet):
            out.append((self.snippet[at:], False))
        return out


@dataclass
class Group:
    name: str
    hits: list[Hit]
    more: bool


def _fold_same_length(text: str) -> str:
    """The text folded, each character in its place (lower() lengthens a
    few characters, e.g. İ: those are folded one by one)."""
    folded = index.fold(text)
    if len(folded) == len(text):
        return folded
    return "".join((index.fold(ch) or ch)[0] for ch in text)


def snippet(text: str, terms: list[str], width: int = SNIPPET) -> tuple[str, list]:
    """A piece of `text` around the first term found, and where the terms
    are in it (start, end); accents and case folded for the match."""
    text = " ".join((text or "").split())
    if not text:
        return "", []
    folded = _fold_same_length(text)
    spans = []
    for term in terms:
        for m in re.finditer(rf"(?<![^\W_]){re.escape(term)}(?![^\W_])", folded):
            spans.append((m.start(), m.end()))
    spans.sort()
    start = 0
    if spans and len(text) > width:
        start = max(0, min(spans[0][0] - width // 3, len(text) - width))
        while start > 0 and not text[start - 1].isspace() and spans[0][0] - start > 10:
            start += 1
    end = min(len(text), start + width)
    piece = text[start:end]
    kept, last = [], -1
    for s, e in spans:
        if s >= start and e <= end and s >= last:
            kept.append((s - start, e - start))
            last = e
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return prefix + piece + suffix, [(s + shift, e + shift) for s, e in kept]


def _label_snippet(labels: list[str], terms):
    text = "; ".join(dict.fromkeys(labels))
    return snippet(text, terms)


def _sightings(visible, parsed: Parsed, limit: int) -> list[tuple]:
    """(report id, kind, label) of the newest references of the query's keys
    in the reports of `visible`. The keys of a plate or a document with every
    country are first narrowed to those that exist (index probes, no row
    read); each is then read newest first from the (kind, key, -occurred_at)
    index, stopping at `limit` visible hits however often it was seen, as
    the cross-match does (incidents.queries.sightings)."""
    from tromeja.incidents.models import EntityRef

    seen = Exists(visible.filter(pk=OuterRef("incident_id")))
    exact = Q(pk__in=[])
    for kind, keys in parsed.keys:
        exact |= Q(kind=kind, key__in=keys)
    present = list(EntityRef.objects.filter(exact).values_list("kind", "key").distinct()[:MAX_KEYS])
    conditions = [Q(kind=kind, key=key) for kind, key in present]
    if parsed.names:
        conditions.append(_name_condition(parsed.names))
    rows = []
    for condition in conditions:
        rows += (
            EntityRef.objects.filter(seen)
            .filter(condition)
            .order_by("-occurred_at")
            .values_list("incident_id", "kind", "label", "occurred_at")[:limit]
        )
    rows.sort(key=lambda row: row[3], reverse=True)
    return [row[:3] for row in rows]


def _report_hits(user, parsed: Parsed) -> Group:
    from tromeja.incidents.models import Incident

    visible = Incident.objects.restrict(user)
    wanted = PER_GROUP + 1
    order: list[uuid.UUID] = []
    matched: dict[uuid.UUID, set] = {}
    labels: dict[uuid.UUID, list] = {}

    def add(pk, how, label=None):
        if pk not in matched:
            order.append(pk)
            matched[pk] = set()
            labels[pk] = []
        matched[pk].add(how)
        if label:
            labels[pk].append(label)

    if visible.query.is_empty():
        return Group(REPORTS, [], False)
    for pk in visible.filter(reference__in=parsed.references).values_list("pk", flat=True):
        add(pk, "reference")
    if parsed.keys or parsed.names:
        for pk, kind, label in _sightings(visible, parsed, wanted * 2):
            if len(order) >= wanted and pk not in matched:
                continue
            add(pk, kind, label)
    if len(order) < wanted:
        for pk in text_matches(visible, "incident", parsed.terms, wanted):
            if len(order) >= wanted and pk not in matched:
                break
            add(pk, "text")
    more = len(order) > PER_GROUP
    ids = order[:PER_GROUP]
    records = {r.pk: r for r in visible.filter(pk__in=ids)}
    hits = []
    for pk in ids:
        r = records.get(pk)
        if r is None:
            continue
        text_snippet = snippet(f"{r.narrative} {r.place_name}", parsed.terms)
        if text_snippet[1] or not labels[pk]:
            text, spans = text_snippet
        else:
            text, spans = _label_snippet(labels[pk], parsed.terms)
        hits.append(
            Hit(
                kind="incident",
                id=r.pk,
                reference=r.reference,
                title=r.get_type_display(),
                date=r.occurred_at,
                owner_country=r.owner_country_id,
                snippet=text,
                highlights=spans,
                matched=sorted(matched[pk]),
                url=reverse("incidents:incident_detail", args=[r.pk]),
                records=[r],
            )
        )
    return Group(REPORTS, hits, more)


def _exchange_hits(user, parsed: Parsed) -> Group:
    from tromeja.exchange.models import Case, Message, Subject

    # The case page is the contact points' (exchange roles); others get no
    # group rather than links they may not follow.
    if not user.has_perm_code(Perm.EXCHANGE_MESSAGES):
        return Group(EXCHANGE, [], False)
    cases = Case.objects.restrict(user)
    messages = Message.objects.restrict(user).filter(case__in=cases)
    if cases.query.is_empty():
        return Group(EXCHANGE, [], False)
    wanted = PER_GROUP + 1
    order: list[uuid.UUID] = []  # case ids
    matched: dict[uuid.UUID, set] = {}
    via: dict[uuid.UUID, list] = {}  # case -> message ids that matched

    def add(case_id, how, message_id=None):
        if case_id not in matched:
            order.append(case_id)
            matched[case_id] = set()
            via[case_id] = []
        matched[case_id].add(how)
        if message_id is not None:
            via[case_id].append(message_id)

    for pk in cases.filter(reference__in=parsed.references).values_list("pk", flat=True):
        add(pk, "reference")
    if parsed.keys or parsed.names:
        rows = (
            Subject.objects.filter(_key_condition(parsed), message__in=messages)
            .order_by("-message__created_at")
            .values_list("message__case_id", "kind", "message_id")[: wanted * 4]
        )
        for case_id, kind, message_id in rows:
            if len(order) >= wanted and case_id not in matched:
                continue
            add(case_id, kind, message_id)
    if len(order) < wanted and parsed.terms:
        for pk in text_matches(cases, "case", parsed.terms, wanted):
            add(pk, "text")
        found = text_matches(messages, "message", parsed.terms, wanted)
        for message_id, case_id in Message.objects.filter(pk__in=found).values_list(
            "pk", "case_id"
        ):
            add(case_id, "text", message_id)
    more = len(order) > PER_GROUP
    ids = order[:PER_GROUP]
    records = {c.pk: c for c in cases.filter(pk__in=ids)}
    shown_messages = {m.pk: m for m in messages.filter(pk__in=[m for c in ids for m in via[c]])}
    hits = []
    for pk in ids:
        case = records.get(pk)
        if case is None:
            continue
        read = [case]
        text, spans = snippet(case.subject, parsed.terms)
        date = case.created_at
        owner = case.owner_country_id
        for message_id in via[pk]:
            message = shown_messages.get(message_id)
            if message is None:
                continue
            read.append(message)
            body, body_spans = snippet(message.body, parsed.terms)
            if body_spans or not spans:
                text, spans = body, body_spans
                date, owner = message.created_at, message.owner_country_id
        hits.append(
            Hit(
                kind="case",
                id=case.pk,
                reference=case.reference,
                title=case.subject,
                date=date,
                owner_country=owner,
                snippet=text,
                highlights=spans,
                matched=sorted(matched[pk]),
                url=reverse("exchange:case_detail", args=[case.pk]),
                records=read,
            )
        )
    return Group(EXCHANGE, hits, more)


def _notice_hits(user, parsed: Parsed) -> Group:
    from tromeja.notices.models import Notice

    visible = Notice.objects.restrict(user)
    wanted = PER_GROUP + 1
    ids = text_matches(visible, "notice", parsed.terms, wanted)
    more = len(ids) > PER_GROUP
    ids = ids[:PER_GROUP]
    records = {n.pk: n for n in visible.filter(pk__in=ids)}
    hits = []
    for pk in ids:
        n = records.get(pk)
        if n is None:
            continue
        text, spans = snippet(f"{n.body} {n.persons_concerned}", parsed.terms)
        if not spans:
            text, spans = snippet(n.title, parsed.terms)
        hits.append(
            Hit(
                kind="notice",
                id=n.pk,
                reference="",
                title=n.title,
                date=n.created_at,
                owner_country=n.owner_country_id,
                snippet=text,
                highlights=spans,
                matched=["text"],
                url=reverse("notices:notice_detail", args=[n.pk]),
                records=[n],
            )
        )
    return Group(NOTICES, hits, more)


_FINDERS = {REPORTS: _report_hits, EXCHANGE: _exchange_hits, NOTICES: _notice_hits}


def search(user, parsed: Parsed, groups=GROUPS) -> list[Group]:
    """The hits of each asked group the user may see, newest first."""
    if parsed.empty:
        return []
    found = []
    for name in GROUPS:
        if name in groups:
            group = _FINDERS[name](user, parsed)
            group.hits.sort(key=lambda h: h.date, reverse=True)
            found.append(group)
    return found
