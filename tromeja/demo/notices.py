"""Believable operational notices between the three countries."""

import random
from datetime import timedelta

from django.utils import timezone

from tromeja.notices.models import Notice
from tromeja.notices.services import create_notice

# kind, title, text, distribution, shared_with, handling, evaluation
TEMPLATES = [
    ("modus_operandi", "Vans with Ukrainian plates carrying groups of 20–30",
     "Smugglers use white delivery vans with Ukrainian plates, crossing from the Karlovac area "
     "towards Novo mesto at night. Groups of 20 to 30 persons, drivers recruited online.",
     "partners", [], "H0", "B2"),
    ("lookout", "Lookout: grey Škoda Octavia, Czech plates, seen near Obrežje",
     "Vehicle repeatedly seen near the Obrežje/Bregana crossing picking up groups after they "
     "cross the green border. Report any sighting to the contact point.",
     "named", ["HR"], "H1", "B3"),
    ("situation", "Increase of crossings over the Sava in Brod-Posavina",
     "Early-year crossings over the Sava river increased; groups move on by train towards "
     "Zagreb and the Slovenian border.", "partners", [], "H0", "A1"),
    ("modus_operandi", "Taxi drivers hired for the last leg to Trieste",
     "Persons who crossed near Sežana are driven to Trieste by local taxi drivers paid in "
     "cash; pick-up points near Fernetti.", "named", ["IT"], "H0", "B2"),
    ("lookout", "Forged Bulgarian identity cards, series detected at Fernetti",
     "Forged Bulgarian identity cards of the same series detected at the Fernetti checkpoint. "
     "Security features: hologram missing on the lower edge.", "partners", [], "H2", "A2"),
    ("situation", "Mixed patrol results on the Koper–Trieste section, week 44",
     "Mixed patrols detected 47 persons in the Karst area; most had crossed from Croatia two "
     "days earlier.", "named", ["IT"], "H0", "A1"),
    ("other", "Contact point roster over the holidays",
     "The national contact point will have two duty officers on each shift from 20 December "
     "to 7 January.", "national", [], "H0", "A1"),
    ("modus_operandi", "Migrants guided by phone from Bihać to Cetingrad",
     "Groups receive GPS coordinates by messaging apps and are guided by phone across the "
     "border near Cetingrad and Slunj.", "partners", [], "H3", "C3"),
]  # fmt: skip


def load(users: dict, rng: random.Random) -> int:
    if Notice.objects.exists():
        return 0
    authors = {"SI": users["si.duty"], "IT": users["it.duty"], "HR": users["hr.duty"]}
    count = 0
    for country, author in authors.items():
        for i, (kind, title, body, dist, named, handling, evaluation) in enumerate(TEMPLATES):
            if rng.random() < 0.35:
                continue
            named = [c for c in named if c != country] or (
                [rng.choice([c for c in authors if c != country])] if dist == "named" else []
            )
            personal = kind == "lookout" and i % 2 == 1
            notice = create_notice(
                user=author,
                kind=kind,
                title=title,
                body=body,
                distribution=dist,
                shared_with=named,
                handling_code=handling,
                handling_note="Not to be shown to the press." if handling == "H3" else "",
                source_reliability=evaluation[0],
                information_accuracy=evaluation[1],
                has_personal_data=personal,
                data_subject_category="suspect" if personal else "",
                review_by=(timezone.localdate() + timedelta(days=365)) if personal else None,
                persons_concerned="Driver: IVANENKO, Oleh, born 1988" if personal else "",
            )
            age = timedelta(hours=rng.randint(1, 24 * 20))
            Notice.objects.filter(pk=notice.pk).update(
                created_at=timezone.now() - age, updated_at=timezone.now() - age
            )
            count += 1
    return count
