"""A year of requests between the three national contact points.

Each case is a contact point asking one or two partners about a vehicle or a
phone number its border police saw in a demo incident report, mostly those
of the smuggling rings, so the receiving contact point's cross-check finds
where it saw them too. Most requests are not urgent and answered in time;
some are refused with a ground, some need a clarification first, a few are
answered late, and those of the last days are still open, a few overdue.

Cases are written through the exchange services (audit entries, legs,
deadlines, alerts) and then moved back to the time they belong to. The
alerts the deadline worker would have raised meanwhile are recorded as
raised and sent, so it starts with nothing to catch up on.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tromeja.core.choices import Distribution
from tromeja.core.models import Country, Sequence
from tromeja.demo.incidents import RINGS
from tromeja.exchange import alerts, deadlines, services
from tromeja.exchange.choices import Alert, MessageKind, RefusalGround, Urgency
from tromeja.exchange.models import Case, Leg, Message, Notification
from tromeja.geography.locate import crossings
from tromeja.incidents.choices import EntityKind, Status
from tromeja.incidents.models import EntityRef, Incident

# Requests a year between the three contact points (SIENA carried 151,318
# new cases in 2023 across Europe: a few hundred on one border is believable).
CASES_PER_YEAR = 300
DUTY = {"SI": "si.duty", "IT": "it.duty", "HR": "hr.duty"}
# Whom each contact point asks: the neighbour the groups came through first.
ASKS = {
    "SI": [(("HR",), 58), (("IT",), 24), (("HR", "IT"), 18)],
    "HR": [(("SI",), 62), (("IT",), 16), (("IT", "SI"), 22)],
    "IT": [(("SI",), 60), (("HR",), 20), (("HR", "SI"), 20)],
}
URGENCY = [(Urgency.NOT_URGENT, 70), (Urgency.URGENT_INDIRECT, 14), (Urgency.URGENT_DIRECT, 16)]
HANDLING = [("H0", 80), ("H1", 10), ("H2", 10)]
# Share of the requests about a partner's report, asked by its reader.
PARTNER_SHARE = 0.4
# Share of the cases still open today, and of those overdue.
LIVE_SHARE, OVERDUE_SHARE = 0.08, 0.02
# How each closed request went, for its first recipient.
CLOSED = [
    ("answer", 52),
    ("ack_answer", 14),
    ("partial_answer", 8),
    ("clarify_answer", 8),
    ("refuse", 11),
    ("late_answer", 5),
]
LIVE = ["new", "acknowledged", "in_progress", "awaiting_clarification", "answered"]
OVERDUE = ["new", "acknowledged", "in_progress"]
# From the sighting to the request, by urgency.
DELAY_HOURS = {
    Urgency.URGENT_DIRECT: (1, 10),
    Urgency.URGENT_INDIRECT: (2, 48),
    Urgency.NOT_URGENT: (6, 120),
}

OFFENCE = {
    "SI": "art. 308 KZ-1 (illegal crossing of the state border)",
    "HR": "art. 326 KZ (illegal entry, movement and stay)",
    "IT": "art. 12 D.Lgs. 286/1998 (aiding illegal immigration)",
}
DIALLING = {"SI": "+386", "HR": "+385", "IT": "+39"}
KEEPERS = {
    "HR": [
        "Rent-a-car Adria d.o.o., Zagreb",
        "Autoprijevoz Babić, Bjelovar",
        "Transkop d.o.o., Sesvete",
    ],
    "SI": ["Avto Kranjc d.o.o., Novo mesto", "Prevozi Novak s.p., Brežice"],
    "IT": ["Autonoleggio Giuliano s.r.l., Trieste"],
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

ACKNOWLEDGEMENTS = [
    "Received, being processed.",
    "Received; checks under way.",
    "Request received by the duty desk and assigned.",
]
# A request for clarification and the requester's reply to it.
CLARIFICATIONS = [
    (
        "Please give the period of interest and the offence under investigation.",
        "Period: {since} to {date}. Offence: {offence}.",
    ),
    (
        "Please state which data you need: registered keeper, border crossings or both.",
        "Both, please: keeper and all crossings since {since}.",
    ),
    (
        "Is the vehicle seized? Checks on a vehicle in circulation need a court order here.",
        "The vehicle was seized on {date}; the driver is in custody.",
    ),
    (
        "Please confirm the driver is a suspect and not a smuggled person.",
        "Confirmed: the driver is a suspect, arrested on {date} for {offence}.",
    ),
]
REFUSALS = [
    (
        RefusalGround.NOT_AVAILABLE,
        40,
        "No records on the subjects in the databases available to us; the information is not "
        "available.",
    ),
    (
        RefusalGround.HARMS_INVESTIGATION,
        20,
        "The subject is part of an ongoing investigation led by the State Prosecutor; releasing "
        "the data now would harm it. Please ask again in 30 days.",
    ),
    (
        RefusalGround.DISPROPORTIONATE,
        15,
        "The request covers five years of crossings; disproportionate to the purpose stated. "
        "Please narrow the period.",
    ),
    (
        RefusalGround.NO_CONSENT,
        15,
        "The data were received from a third state, which did not consent to passing them on.",
    ),
    (
        RefusalGround.MINOR_OFFENCE,
        10,
        "The conduct described is a misdemeanour under our law; no answer is due under "
        "Directive (EU) 2023/977 art. 6.",
    ),
]


@dataclass
class Sighting:
    """A vehicle or phone seen by a country's border police in an incident."""

    country: str
    at: datetime
    place: str
    persons: int
    plate: tuple[str, str] | None
    vehicle: str  # "white Renault Master"
    phone: str
    driver: str  # the driver's nationality
    ring: bool
    reference: str
    shared: tuple[str, ...]  # partners that received the report


@dataclass
class Plan:
    """One case to write: who asks whom, when, about what, and how it goes."""

    sighting: Sighting
    requester: str
    recipients: tuple[str, ...]
    urgency: str
    received: datetime
    handling: str
    outcomes: dict = field(default_factory=dict)  # recipient -> [(event, at)]


def load(users: dict, rng: random.Random, cases: int = CASES_PER_YEAR) -> int:
    if Case.objects.exists():
        return 0
    now = timezone.now()
    sightings = _sightings()
    if not sightings:
        return 0
    duty = {country: users[name] for country, name in DUTY.items()}
    zones = _zones()
    seen = _seen_by_key()
    plans = _plans(rng, sightings, zones, now, cases)
    legs, made = [], []
    for plan in plans:
        case, case_legs, timed = _write(rng, plan, duty, seen)
        made.append((case, plan))
        legs += case_legs
        for pk, at in timed:
            Message.objects.filter(pk=pk).update(created_at=at, updated_at=at, language="en")
    _record_alerts(legs, now)
    for leg in legs:
        Leg.objects.filter(pk=leg.pk).update(
            received_at=leg.received_at,
            suspensions=leg.suspensions,
            closed_at=leg.closed_at,
            due_at=leg.due_at,
            alerts=leg.alerts,
        )
    _renumber(made)
    return len(made)


def _zones() -> dict[str, str]:
    """Where each contact point counts its days (the legs keep their own)."""
    known = dict(Country.objects.filter(code__in=DUTY).values_list("code", "time_zone"))
    return {code: known.get(code) or settings.TIME_ZONE for code in DUTY}


# Planning: who asks whom, when, about what, and how each request goes.


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _deck(rng, weighted, n):
    """n outcomes in the given proportions, each at least once, shuffled."""
    total = sum(w for _v, w in weighted)
    deck = [v for v, w in weighted for _ in range(max(1, round(n * w / total)))]
    rng.shuffle(deck)
    return (deck + [_pick(rng, weighted) for _ in range(n)])[:n]


def _sightings() -> list[Sighting]:
    rings = {(p, c) for ring in RINGS for p, c in ring["vehicles"]}
    rings |= {phone for ring in RINGS for phone in ring["phones"]}
    found = []
    reports = (
        Incident.objects.filter(status=Status.VALIDATED, vehicles__isnull=False)
        .prefetch_related("vehicles", "phones", "persons", "shared_with")
        .order_by("occurred_at")
        .distinct()
    )
    for report in reports:
        vehicle = report.vehicles.all()[0]
        phones = [p.number for p in report.phones.all()]
        drivers = [p.nationality for p in report.persons.all() if p.nationality]
        plate = (vehicle.plate, vehicle.registration_country)
        ring = plate in rings or any(p in rings for p in phones)
        shared = {c.code for c in report.shared_with.all()}
        if report.distribution == Distribution.PARTNERS:
            shared = set(DUTY)
        found.append(
            Sighting(
                country=report.owner_country_id,
                at=report.occurred_at,
                place=_place(report),
                persons=report.persons_total,
                plate=plate,
                vehicle=f"{vehicle.colour} {vehicle.make} {vehicle.model}".strip(),
                phone=phones[0] if phones else "",
                driver=drivers[0] if drivers else "",
                ring=ring,
                reference=report.reference,
                shared=tuple(sorted(shared - {report.owner_country_id})),
            )
        )
    return found


def _place(report) -> str:
    crossing = crossings().get(report.nearest_crossing)
    if crossing is None:
        return report.place_name or "the border"
    return crossing.names.get(report.owner_country_id) or crossing.name


def _plans(rng, sightings, zones, now, n) -> list[Plan]:
    overdue = max(2, round(n * OVERDUE_SHARE))
    live = max(len(LIVE), round(n * LIVE_SHARE))
    profiles = ["overdue"] * overdue + ["live"] * live + ["closed"] * max(0, n - overdue - live)
    closed = iter(_deck(rng, CLOSED, profiles.count("closed")))
    weights = [2 if s.ring else 1 for s in sightings]
    plans, asked = [], defaultdict(list)
    for i, profile in enumerate(profiles):
        first = (
            next(closed)
            if profile == "closed"
            else LIVE[i % len(LIVE)]
            if profile == "live"
            else OVERDUE[i % len(OVERDUE)]
        )
        for _attempt in range(50):
            plan = _plan(rng, profile, first, sightings, weights, zones, now)
            if plan is None:
                continue
            # A contact point asks about the same vehicle again after new sightings only.
            earlier = asked[(plan.requester, plan.sighting.plate)]
            if any(abs(plan.received - at) < timedelta(days=10) for at in earlier):
                continue
            earlier.append(plan.received)
            plans.append(plan)
            break
    plans.sort(key=lambda p: p.received)
    return plans


def _plan(rng, profile, first, sightings, weights, zones, now) -> Plan | None:
    urgency = _pick(rng, URGENCY)
    nominal = deadlines.Clock.of(now, urgency, zones["SI"]).allowed
    if profile == "closed":
        sighting = rng.choices(sightings, weights)[0]
        low, high = DELAY_HOURS[urgency]
        received = sighting.at + timedelta(hours=rng.uniform(low, high))
    else:
        share = rng.uniform(0.03, 0.85) if profile == "live" else rng.uniform(1.1, 2.0)
        received = now - nominal * share
        # Urgent requests follow an arrest within hours; others within weeks.
        window = timedelta(hours=DELAY_HOURS[urgency][1] * 1.5)
        if urgency == Urgency.NOT_URGENT:
            window = timedelta(days=21)
        before = [s for s in sightings if received - window < s.at < received]
        if not before:
            return None
        sighting = rng.choice(before)
    requester, recipients = sighting.country, None
    if sighting.shared and rng.random() < PARTNER_SHARE:
        # A partner that received the report asks its author for more.
        if urgency == Urgency.URGENT_DIRECT:
            return None
        requester = rng.choice(sighting.shared)
        both = tuple(sorted(set(DUTY) - {requester}))
        recipients = _pick(rng, [((sighting.country,), 75), (both, 25)])
    recipients = recipients or _pick(rng, ASKS[requester])
    plan = Plan(sighting, requester, recipients, urgency, received, _pick(rng, HANDLING))
    for n, recipient in enumerate(recipients):
        clock = deadlines.Clock.of(received, urgency, zones[recipient])
        if profile == "live":
            outcome = first if n == 0 else rng.choice(LIVE)
            events = _live(rng, outcome, received, now)
            if received + clock.allowed <= now:
                return None
        elif profile == "overdue" and n == 0:
            events = _overdue(rng, first, received, clock.allowed)
            if received + clock.allowed >= now:
                return None
        else:
            outcome = first if n == 0 else _pick(rng, CLOSED)
            events = _closed(rng, outcome, received, clock.allowed)
        if any(at >= now for _event, at in events):
            return None
        plan.outcomes[recipient] = events
    return plan


def _closed(rng, outcome, received, allowed):
    def at(low, high):
        return received + allowed * rng.uniform(low, high)

    ack = [("ack", at(0.003, 0.05))]
    if outcome == "answer":
        return [("answer", at(0.04, 0.9))]
    if outcome == "ack_answer":
        return [*ack, ("answer", at(0.15, 0.97))]
    if outcome == "partial_answer":
        return [*ack, ("partial", at(0.1, 0.45)), ("answer", at(0.55, 0.98))]
    if outcome == "refuse":
        return (ack if rng.random() < 0.5 else []) + [("refusal", at(0.1, 0.92))]
    if outcome == "late_answer":
        return [*ack, ("answer", at(1.03, 1.35))]
    # A clarification stops the clock; the answer comes within the time left.
    asked = at(0.02, 0.3)
    back = asked + allowed * rng.uniform(0.05, 0.4)
    left = received + allowed - asked
    return [
        ("clarification_request", asked),
        ("clarification", back),
        ("answer", back + left * rng.uniform(0.2, 0.95)),
    ]


def _live(rng, outcome, received, now):
    def at(low, high):
        return received + (now - received) * rng.uniform(low, high)

    return {
        "new": [],
        "acknowledged": [("ack", at(0.02, 0.3))],
        "in_progress": [("ack", at(0.02, 0.2)), ("partial", at(0.3, 0.9))],
        "awaiting_clarification": [("clarification_request", at(0.1, 0.8))],
        "answered": [("answer", at(0.2, 0.95))],
    }[outcome]


def _overdue(rng, outcome, received, allowed):
    return {
        "new": [],
        "acknowledged": [("ack", received + allowed * rng.uniform(0.01, 0.1))],
        "in_progress": [
            ("ack", received + allowed * rng.uniform(0.01, 0.1)),
            ("partial", received + allowed * rng.uniform(0.2, 0.7)),
        ],
    }[outcome]


# Texts, in the short style of messages between contact points.


def _day(at: datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.day} {MONTHS[local.month - 1]}"


def _subject(rng, plan: Plan) -> tuple[str, list, list]:
    s = plan.sighting
    what = _pick(rng, [("vehicle", 55), ("phone", 20), ("both", 25)]) if s.phone else "vehicle"
    vehicles = [{"plate": s.plate[0], "registration_country": s.plate[1]}]
    plate = f"{s.plate[1]} {s.plate[0]}"
    if what == "vehicle":
        subject = rng.choice(
            [
                f"Check on vehicle {plate} seen near {s.place} on {_day(s.at)} — registered "
                "keeper, previous entries",
                f"{s.vehicle[:1].upper()}{s.vehicle[1:]} {plate}, smuggling near {s.place} — "
                "keeper and border crossings",
                f"Vehicle {plate}: {s.persons} migrants transported, {s.place}, {_day(s.at)}",
            ]
        )
        return subject, vehicles, []
    if what == "phone":
        subject = rng.choice(
            [
                f"Phone {s.phone} of a driver stopped near {s.place} on {_day(s.at)} — subscriber, "
                "previous records",
                f"Subscriber check {s.phone}, smuggling case {s.place}",
            ]
        )
        return subject, [], [s.phone]
    subject = f"Smuggling {s.place} {_day(s.at)}: vehicle {plate} and phone {s.phone}"
    return subject, vehicles, [s.phone]


def _request_body(plan: Plan, vehicles, phones, due_hint: str) -> str:
    s = plan.sighting
    local = timezone.localtime(s.at)
    plate = f"{s.plate[1]} {s.plate[0]}"
    wanted = []
    if plan.requester == s.country:
        lines = [
            f"On {_day(s.at)} at {local:%H:%M} our border police stopped a {s.vehicle}, {plate}, "
            f"near {s.place} with {s.persons} persons on board who had crossed the border "
            "irregularly."
            + (
                f" The driver, a {s.driver} national, was arrested under {OFFENCE[plan.requester]}."
                if s.driver
                else ""
            )
        ]
        if phones:
            lines.append(f"A phone with number {s.phone} was seized from the driver.")
    else:
        lines = [
            f"Your report {s.reference}: on {_day(s.at)} at {local:%H:%M} your border police "
            f"stopped a {s.vehicle}, {plate}, near {s.place} with {s.persons} persons on board. "
            f"The same {'phone number' if not vehicles else 'vehicle'} is of interest to an "
            f"investigation here under {OFFENCE[plan.requester]}."
        ]
        wanted.append("identity of the driver and whether the vehicle was seized")
    if vehicles:
        wanted.append(
            "registered keeper and holder of the vehicle; its entries and exits "
            "at your crossing points in the last six months"
        )
    if phones:
        wanted.append("subscriber of the number and whether it appears in your smuggling cases")
    lines.append("Requested: " + "; ".join(wanted) + "; any other reports on the subjects.")
    if due_hint:
        lines.append(due_hint)
    return "\n".join(lines)


def _urgency_note(plan: Plan) -> str:
    if plan.urgency == Urgency.URGENT_DIRECT:
        until = timezone.localtime(plan.received + timedelta(hours=30))
        return (
            f"URGENT: the driver is in custody until {_day(until)} {until:%H:%M}; the "
            "answer is needed for the detention hearing."
        )
    if plan.urgency == Urgency.URGENT_INDIRECT:
        hearing = plan.received + timedelta(days=4)
        return f"URGENT: hearing before the investigating judge on {_day(hearing)}."
    return ""


def _answer(rng, plan: Plan, recipient, at, subjects, seen, partial_before=False) -> str:
    parts = []
    for kind, key, label in subjects:
        hits = [h for h in seen.get((kind, key), ()) if h[1] == recipient and h[0] < at]
        if len(hits) == 1:
            at_, _country, reference, place, persons = hits[0]
            parts.append(
                f"{label} is known to us: seen in our report {reference} on "
                f"{_day(at_)} near {place} ({persons} persons on board)."
            )
        elif hits:
            latest = hits[-1]
            parts.append(
                f"{label} is known to us: seen in {len(hits)} of our reports since "
                f"{_day(hits[0][0])}, latest {latest[2]} on {_day(latest[0])} near {latest[3]} "
                f"({latest[4]} persons on board)."
            )
        elif kind == EntityKind.VEHICLE and key.startswith(f"{recipient}:"):
            since = timezone.localtime(at - timedelta(days=rng.randint(40, 400)))
            parts.append(
                f"{label}: registered keeper {rng.choice(KEEPERS[recipient])}, leased to a "
                f"private person since {MONTHS[since.month - 1]} {since.year}. No previous "
                "reports of smuggling."
            )
        elif kind == EntityKind.PHONE and key.startswith(DIALLING[recipient]):
            since = timezone.localtime(at - timedelta(days=rng.randint(20, 300)))
            parts.append(
                f"{label}: prepaid SIM without a registered subscriber, activated on "
                f"{_day(since)} {since.year}. No other records."
            )
        else:
            parts.append(
                f"{label}: no records in our databases; no entries recorded at our crossing "
                "points in the period."
            )
    s = plan.sighting
    if recipient == s.country and s.driver:
        parts.append(
            rng.choice(
                [
                    f"Driver: {s.driver} national, identified from his passport; vehicle seized.",
                    f"Driver: {s.driver} national, convicted in fast-track proceedings; vehicle "
                    "returned to the keeper.",
                    f"Driver: {s.driver} national, released and returned to the neighbouring "
                    "state; no seizure.",
                ]
            )
        )
    prefix = "Further to our partial answer: " if partial_before else ""
    return prefix + " ".join(parts)


def _partial(subjects) -> str:
    labels = ", ".join(label for _kind, _key, label in subjects)
    return (
        f"First results on {labels}: no hits in the national records. ANPR queries at the "
        "crossing points are pending; the rest will follow."
    )


# Writing: through the services, then moved back in time.


def _seen_by_key() -> dict:
    """(kind, key) -> [(occurred, country, reference, place, persons)], oldest first."""
    seen = defaultdict(list)
    rows = (
        EntityRef.objects.filter(
            kind__in=[EntityKind.VEHICLE, EntityKind.PHONE],
            incident__status=Status.VALIDATED,
        )
        .order_by("occurred_at")
        .values_list(
            "kind",
            "key",
            "occurred_at",
            "incident__owner_country_id",
            "incident__reference",
            "incident__nearest_crossing",
            "incident__place_name",
            "incident__persons_total",
        )
    )
    for kind, key, at, country, reference, crossing_code, place_name, persons in rows:
        crossing = crossings().get(crossing_code)
        place = crossing.names.get(country, crossing.name) if crossing else place_name
        seen[(kind, key)].append((at, country, reference, place or "the border", persons))
    return seen


def _write(rng, plan: Plan, duty, seen):
    subject, vehicles, phones = _subject(rng, plan)
    requester = duty[plan.requester]
    case = services.send_request(
        user=requester,
        subject=subject,
        urgency=plan.urgency,
        recipients=plan.recipients,
        body=_request_body(plan, vehicles, phones, _urgency_note(plan)),
        handling_code=plan.handling,
        vehicles=vehicles,
        phones=phones,
    )
    request = case.messages.get()
    subjects = list(request.subjects.values_list("kind", "key", "label"))
    timed = [(request, plan.received)]
    legs = {leg.recipient_country_id: leg for leg in case.legs.all()}
    last = plan.received
    for recipient, events in plan.outcomes.items():
        leg, officer = legs[recipient], duty[recipient]
        clarification = rng.choice(CLARIFICATIONS)
        pauses, closed_at, partial = [], None, False
        for event, at in events:
            if event == "ack":
                body = rng.choice(ACKNOWLEDGEMENTS)
                message = services.reply(
                    user=officer, leg=leg, kind=MessageKind.ACKNOWLEDGEMENT, body=body
                )
            elif event == "clarification_request":
                message = services.reply(
                    user=officer,
                    leg=leg,
                    body=clarification[0],
                    kind=MessageKind.CLARIFICATION_REQUEST,
                )
                pauses.append([at, None])
            elif event == "clarification":
                s = plan.sighting
                body = clarification[1].format(
                    since=_day(s.at - timedelta(days=180)),
                    date=_day(s.at),
                    offence=OFFENCE[plan.requester],
                )
                message = services.clarify(user=requester, leg=leg, body=body)
                pauses[-1][1] = at
            elif event == "partial":
                message = services.reply(
                    user=officer, leg=leg, body=_partial(subjects), kind=MessageKind.PARTIAL_ANSWER
                )
                partial = True
            elif event == "answer":
                body = _answer(rng, plan, recipient, at, subjects, seen, partial)
                message = services.reply(user=officer, leg=leg, kind=MessageKind.ANSWER, body=body)
                closed_at = at
            else:
                ground, text = _pick(rng, [((g, t), w) for g, w, t in REFUSALS])
                message = services.reply(
                    user=officer,
                    leg=leg,
                    kind=MessageKind.REFUSAL,
                    body=text,
                    refusal_ground=ground,
                )
                closed_at = at
            timed.append((message, at))
            last = max(last, at)
        leg.refresh_from_db(fields=["state", "alerts"])
        leg.received_at = plan.received
        leg.suspensions = [[_iso(a), _iso(b) if b else None] for a, b in pauses]
        leg.closed_at = closed_at
        leg.due_at = leg.clock.due()
    case.created_at, case.updated_at = plan.received, last
    return case, list(legs.values()), [(m.pk, at) for m, at in timed]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _renumber(made) -> None:
    """References carry the year the case was opened in, numbered in order."""
    for i, (case, _plan) in enumerate(made):
        Case.objects.filter(pk=case.pk).update(
            reference=f"~{i}", created_at=case.created_at, updated_at=case.updated_at
        )
    counters = defaultdict(int)
    for case, plan in made:
        year = timezone.localtime(plan.received).year
        name = f"case:{plan.requester}:{year}"
        counters[name] += 1
        reference = f"{plan.requester}-C-{year}-{counters[name]:06d}"
        Case.objects.filter(pk=case.pk).update(reference=reference)
    for name, value in counters.items():
        Sequence.objects.update_or_create(name=name, defaults={"value": value})


def _crossed(clock: deadlines.Clock, fraction: float) -> datetime | None:
    """When a request's clock reached this fraction of its time; None if a
    clarification it still waits for stopped it before."""
    at = clock.received_at + clock.allowed * fraction
    for asked, answered in clock.suspensions:
        if asked >= at:
            break
        if answered is None:
            return None
        at += answered - asked
    return at


def _record_alerts(legs, now) -> None:
    """Each alert the deadline worker would have raised by now (or until the
    request was closed) is recorded as raised and sent when it was due."""
    officers = {}
    Notification.objects.filter(leg__in=legs).delete()
    rows = []
    for leg in legs:
        until = leg.closed_at or now
        leg.alerts = []
        raised = [(Alert.NEW_URGENT, leg.received_at)] if leg.urgency != "not_urgent" else []
        for alert, fraction in alerts.THRESHOLDS:
            at = _crossed(leg.clock, fraction)
            if at is not None and at <= until:
                raised.append((alert, at))
        for alert, at in raised:
            key = (leg.recipient_country_id, alert)
            if key not in officers:
                officers[key] = alerts.recipients_for(leg, alert)
            sent = min(at + timedelta(minutes=1), now)
            rows += [
                Notification(leg=leg, alert=alert, recipient=officer, created_at=at, sent_at=sent)
                for officer in officers[key]
            ]
            leg.alerts.append(alert)
    Notification.objects.bulk_create(rows, 500)


def roster(users: dict, days: int = 7) -> int:
    """The coming week's day shifts at each contact point (07:00–19:00 local
    for the duty officer, 07:00–15:00 for the supervisor), put on the roster
    by the supervisor; the nights stay uncovered, as the roster shows. Open
    requests go to the duty officer. Returns the number of shifts."""
    from datetime import time as clock
    from zoneinfo import ZoneInfo

    from tromeja.exchange import duty as duty_service
    from tromeja.exchange.choices import OPEN_STATES, DutyRole
    from tromeja.exchange.models import DutyShift

    if DutyShift.objects.exists():
        return 0
    zones, made = _zones(), 0
    for country, name in DUTY.items():
        officer = users[name]
        supervisor = users[name.replace(".duty", ".supervisor")]
        zone = ZoneInfo(zones[country])
        today = timezone.localtime(timezone.now(), zone).date()
        for offset in range(days):
            day = today + timedelta(days=offset)
            for who, role, hours in (
                (officer, DutyRole.DUTY_OFFICER, 12),
                (supervisor, DutyRole.SUPERVISOR, 8),
            ):
                start = datetime.combine(day, clock(7), zone)
                end = start + timedelta(hours=hours)
                duty_service.add_shift(
                    user=supervisor, officer=who, role=role, starts_at=start, ends_at=end
                )
                made += 1
        for leg in Leg.objects.filter(recipient_country_id=country, state__in=OPEN_STATES):
            duty_service.assign(user=officer, leg=leg, officer=officer)
    return made
