"""A believable year of border incidents, calibrated on public figures.

Scale: one demo report stands for one detected group or event; Slovenia files
about half of them, Croatia a third, Italy the rest, with the summer and
autumn peak of the route. Most Slovenian reports come from the Novo mesto
directorate, most Croatian ones from Karlovac (Cetingrad, Slunj) and, early in
the year, from the Sava in Brod-Posavina. A few smuggling rings reuse their
vans and phones across the three countries, so cross-matching has something
real to find.
"""

import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from tromeja.geography.locate import sections
from tromeja.incidents import services
from tromeja.incidents.models import Incident

# Reports per month for the whole demo, January to December (figures.md:
# Slovenian monthly cases peak in July–October).
MONTHLY = [55, 55, 70, 75, 85, 95, 120, 125, 120, 130, 100, 70]
COUNTRY_SHARE = [("SI", 0.5), ("HR", 0.35), ("IT", 0.15)]
SECTIONS = {
    "SI": [
        ("si-hr-novo-mesto-karlovac", 40),
        ("si-hr-novo-mesto-zagreb", 30),
        ("si-hr-novo-mesto-primorje-gorski-kotar", 8),
        ("si-hr-koper-istria", 8),
        ("si-it-trieste-koper-karst", 7),
        ("si-hr-ljubljana-primorje-gorski-kotar", 4),
        ("si-hr-maribor-varazdin", 3),
    ],
    "HR": [
        ("hr-ba-karlovac", 35),
        ("hr-ba-brod-posavina", 18),
        ("hr-ba-sisak-moslavina", 15),
        ("hr-ba-lika-senj", 10),
        ("hr-ba-zadar", 5),
        ("hr-rs-vukovar-srijem", 10),
        ("hr-ba-split-dalmatia", 7),
    ],
    "IT": [
        ("si-it-trieste-koper-karst", 60),
        ("si-it-gorizia-nova-gorica", 25),
        ("si-it-udine-nova-gorica", 15),
    ],
}
TYPES = {
    "SI": [
        ("irregular_crossing", 60),
        ("group_inland", 14),
        ("smuggler", 10),
        ("vehicle", 9),
        ("document_fraud", 3),
        ("distress", 2),
        ("refusal", 2),
    ],
    "HR": [
        ("irregular_crossing", 65),
        ("group_inland", 10),
        ("smuggler", 12),
        ("vehicle", 8),
        ("document_fraud", 2),
        ("distress", 2),
        ("death_injury", 1),
    ],
    "IT": [
        ("group_inland", 60),
        ("smuggler", 15),
        ("vehicle", 12),
        ("refusal", 8),
        ("document_fraud", 5),
    ],
}
# figures.md: Afghanistan ~1/3, Morocco ~15%, Pakistan ~9%, Syria rising in 2024.
NATIONALITIES = [
    ("AF", 30),
    ("SY", 18),
    ("MA", 14),
    ("PK", 9),
    ("BD", 6),
    ("IN", 5),
    ("TR", 5),
    ("IQ", 4),
    ("EG", 3),
    ("BI", 3),
    ("NP", 3),
]
SMUGGLER_NATIONALITIES = {
    "SI": ["UA", "RO", "GE", "TR", "PL"],
    "HR": ["BA", "RO", "UA", "RS", "TR"],
    "IT": ["UA", "RO", "GE", "SI", "HR"],
}
SURNAMES = {
    "UA": ["Kovalenko", "Bondarenko", "Shevchenko", "Tkachenko"],
    "RO": ["Popescu", "Ionescu", "Stan"],
    "GE": ["Beridze", "Kapanadze"],
    "TR": ["Yilmaz", "Kaya", "Demir"],
    "PL": ["Nowak", "Wiśniewski"],
    "BA": ["Hodžić", "Begić", "Delić"],
    "RS": ["Jovanović", "Petrović"],
    "SI": ["Novak", "Kranjc"],
    "HR": ["Horvat", "Babić"],
}
GIVEN = ["Oleh", "Andrii", "Ion", "Mihai", "Giorgi", "Mehmet", "Emir", "Marko", "Tomasz", "Ivan"]
PLATE_COUNTRIES = ["UA", "CZ", "DE", "FR", "BG", "HR", "RO", "PL"]
MAKES = [
    ("Volkswagen", "Transporter", "white"),
    ("Renault", "Master", "white"),
    ("Ford", "Transit", "silver"),
    ("Škoda", "Octavia", "grey"),
    ("Mercedes-Benz", "Sprinter", "white"),
    ("Opel", "Vivaro", "black"),
]
# Smuggling rings whose vehicles and phones recur in all three countries.
RINGS = [
    {
        "vehicles": [("AA 7312 KX", "UA"), ("BC 4410 HE", "UA")],
        "phones": ["+380 67 512 3344", "+380 93 771 0021"],
    },
    {"vehicles": [("5T2 8841", "CZ"), ("B-KL 2231", "DE")], "phones": ["+420 777 123 456"]},
    {"vehicles": [("CA 1234 KB", "BG")], "phones": ["+359 88 765 4321", "+387 61 223 344"]},
    {"vehicles": [("ZG 4521-HK", "HR"), ("BJ 112-AC", "HR")], "phones": ["+385 98 123 4567"]},
]


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _point(rng, section_code):
    line = sections()[section_code].geometry
    p = line.interpolate(rng.random(), normalized=True)
    return round(p.y + rng.uniform(-0.03, 0.03), 5), round(p.x + rng.uniform(-0.03, 0.03), 5)


def _breakdown(rng, total):
    counts, left = [], total
    while left > 0:
        n = min(left, rng.randint(1, max(1, total // 2)))
        minor = rng.random() < 0.15
        counts.append(
            {
                "nationality": _pick(rng, NATIONALITIES),
                "sex": "m" if rng.random() < 0.85 else "f",
                "age_group": "minor" if minor else "adult",
                "count": n,
                "unaccompanied": rng.randint(0, n) if minor and rng.random() < 0.6 else 0,
            }
        )
        left -= n
    return counts


def _smuggling(rng, country, kind):
    """Persons, vehicles and phones for a smuggling or vehicle report; now and
    then those of a ring."""
    ring = RINGS[rng.randrange(len(RINGS))] if rng.random() < 0.35 else None
    nationality = rng.choice(SMUGGLER_NATIONALITIES[country])
    persons = [
        {
            "role": "driver" if kind == "vehicle" else "smuggler",
            "category": "suspect",
            "surname": rng.choice(SURNAMES.get(nationality, SURNAMES["UA"])),
            "given_names": rng.choice(GIVEN),
            "nationality": nationality,
        }
    ]
    if ring:
        plate, plate_country = rng.choice(ring["vehicles"])
        phones = [{"number": rng.choice(ring["phones"])}]
    else:
        plate_country = rng.choice(PLATE_COUNTRIES)
        plate = f"{rng.choice('ABCKMPT')}{rng.choice('ABEHKX')} {rng.randint(1000, 9999)} "
        plate += f"{rng.choice('ABCEHKMX')}{rng.choice('ABCEHKMX')}"
        phones = [
            {
                "number": f"+38{rng.choice('069')} {rng.randint(30, 99)} "
                f"{rng.randint(100000, 999999)}"
            }
        ]
    make, model, colour = rng.choice(MAKES)
    vehicles = [
        {
            "plate": plate,
            "registration_country": plate_country,
            "make": make,
            "model": model,
            "colour": colour,
        }
    ]
    return persons, vehicles, phones


def load(users: dict, rng: random.Random, progress=None, days: int = 365) -> int:
    if Incident.objects.exists():
        return 0
    authors = {"SI": users["si.border"], "HR": users["hr.border"], "IT": users["it.border"]}
    supervisors = {
        "SI": users["si.supervisor"],
        "HR": users["hr.supervisor"],
        "IT": users["it.supervisor"],
    }
    today = timezone.localdate()
    made = 0
    for days_ago in range(days, 0, -1):
        day = today - timedelta(days=days_ago)
        per_day = MONTHLY[day.month - 1] / 30
        reports = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
        for _ in range(reports):
            country = _pick(rng, COUNTRY_SHARE)
            made += _one(rng, country, day, authors, supervisors)
        if progress and day.day == 1:
            progress(day, made)
    return made


def _one(rng, country, day, authors, supervisors) -> int:
    kind = _pick(rng, TYPES[country])
    section = _pick(rng, SECTIONS[country])
    if (
        country == "HR"
        and day.month > 4
        and section == "hr-ba-brod-posavina"
        and rng.random() < 0.6
    ):
        section = "hr-ba-karlovac"  # the Sava crossings are an early-year pattern
    lat, lon = _point(rng, section)
    zone = timezone.get_current_timezone()
    occurred = timezone.make_aware(
        timezone.datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59)),
        zone,
    )
    aware = occurred + timedelta(minutes=rng.randint(5, 120))
    if aware > timezone.now():
        return 0
    total = {
        "vehicle": rng.randint(3, 12),
        "smuggler": rng.randint(4, 34),
        "document_fraud": rng.randint(1, 3),
        "refusal": rng.randint(1, 4),
        "distress": rng.randint(2, 15),
        "death_injury": 1,
    }.get(kind, rng.randint(5, 30))
    entities = services.Entities(counts=_breakdown(rng, total))
    if kind in {"smuggler", "vehicle"}:
        entities.persons, entities.vehicles, entities.phones = _smuggling(rng, country, kind)
    r = rng.random()
    distribution, named = (
        ("partners", [])
        if r < 0.7
        else (
            ("national", [])
            if r < 0.8
            else ("named", [rng.choice([c for c in ("SI", "HR", "IT") if c != country])])
        )
    )
    fields = {
        "type": kind,
        "occurred_at": occurred,
        "aware_at": aware,
        "latitude": lat,
        "longitude": lon,
        "detection_method": "inland"
        if kind == "group_inland"
        else _pick(rng, [("surveillance", 60), ("check", 25), ("tip_off", 15)]),
        "transport": "van"
        if kind in {"smuggler", "vehicle"}
        else _pick(rng, [("on_foot", 80), ("car", 8), ("train", 6), ("taxi", 6)]),
        "stage": "actual" if rng.random() < 0.85 else "attempted",
        "crossing_mode": "clandestine" if kind != "refusal" else "open",
        "direction": "entry",
        "persons_total": total,
        "impact_level": "high" if total >= 25 else ("medium" if total >= 10 else "low"),
        "confidence": "confirmed",
        "source_reliability": "A",
        "information_accuracy": "1",
    }
    try:
        report = services.create_incident(user=authors[country], entities=entities, **fields)
    except ValidationError:
        return 0  # a random point that fell outside the region
    status = rng.random()
    if status < 0.04:
        return 1  # left as a draft
    services.submit_incident(user=authors[country], incident=report)
    # Reports of the last hours are not submitted or validated in the future.
    now = max(aware, timezone.now())
    submitted = min(aware + timedelta(hours=rng.choice([1, 2, 3, 5, 8, 12, 20, 30])), now)
    if status < 0.08:
        Incident.objects.filter(pk=report.pk).update(
            submitted_at=submitted, late_report=(submitted - aware) > timedelta(hours=24)
        )
        return 1  # waiting for the supervisor
    services.validate_incident(
        user=supervisors[country], incident=report, distribution=distribution, shared_with=named
    )
    Incident.objects.filter(pk=report.pk).update(
        submitted_at=submitted,
        late_report=(submitted - aware) > timedelta(hours=24),
        validated_at=min(submitted + timedelta(hours=rng.randint(1, 6)), now),
        created_at=aware,
        updated_at=submitted,
    )
    return 1
