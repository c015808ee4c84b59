"""Believable operational notices between the three countries.

Each duty officer writes in the language of their own country: Slovenian for SI,
Italian for IT and Croatian for HR.
"""

import random
from datetime import timedelta

from django.utils import timezone

from tromeja.notices.models import Notice
from tromeja.notices.services import create_notice

# The language in which the duty officer of each country writes.
LANGUAGE = {"SI": "sl", "IT": "it", "HR": "hr"}

HANDLING_NOTE = {
    "sl": "Ni za objavo v medijih.",
    "it": "Non divulgare alla stampa.",
    "hr": "Nije za objavu u medijima.",
}

PERSONS_CONCERNED = {
    "sl": "Voznik: IVANENKO, Oleh, roj. 1988",
    "it": "Conducente: IVANENKO, Oleh, nato nel 1988",
    "hr": "Vozač: IVANENKO, Oleh, rođen 1988.",
}

# kind, {language: (title, text)}, distribution, shared_with, handling, evaluation
TEMPLATES = [
    (
        "modus_operandi",
        {
            "sl": (
                "Kombiji z ukrajinskimi registrskimi tablicami prevažajo skupine po 20–30 oseb",
                "Tihotapci uporabljajo bele dostavne kombije z ukrajinskimi registrskimi "
                "tablicami, ki ponoči vozijo z območja Karlovca proti Novemu mestu. Skupine od "
                "20 do 30 oseb, voznike novačijo prek spleta.",
            ),
            "it": (
                "Furgoni con targa ucraina trasportano gruppi di 20–30 persone",
                "I trafficanti utilizzano furgoni bianchi con targa ucraina che di notte si "
                "spostano dall'area di Karlovac verso Novo mesto. Gruppi da 20 a 30 persone, "
                "autisti reclutati online.",
            ),
            "hr": (
                "Kombiji ukrajinskih registarskih oznaka prevoze skupine od 20 do 30 osoba",
                "Krijumčari koriste bijele dostavne kombije ukrajinskih registarskih oznaka koji "
                "noću voze s područja Karlovca prema Novom Mestu. Skupine od 20 do 30 osoba, "
                "vozači se vrbuju putem interneta.",
            ),
        },
        "partners",
        [],
        "H0",
        "B2",
    ),
    (
        "lookout",
        {
            "sl": (
                "Opozorilo: siva Škoda Octavia s češkimi registrskimi tablicami, opažena pri "
                "Obrežju",
                "Vozilo je bilo večkrat opaženo v bližini mejnega prehoda Obrežje/Bregana, kjer "
                "pobira skupine, potem ko te prečkajo zeleno mejo. Vsako opažanje sporočite "
                "kontaktni točki.",
            ),
            "it": (
                "Segnalazione: Škoda Octavia grigia con targa ceca, avvistata nei pressi di "
                "Obrežje",
                "Veicolo avvistato più volte nei pressi del valico di Obrežje/Bregana mentre "
                "preleva gruppi di persone dopo l'attraversamento della frontiera verde. "
                "Segnalare ogni avvistamento al punto di contatto.",
            ),
            "hr": (
                "Upozorenje: siva Škoda Octavia, češke registarske oznake, uočena kod Obrežja",
                "Vozilo je više puta uočeno u blizini graničnog prijelaza Obrežje/Bregana kako "
                "preuzima skupine nakon što prijeđu zelenu granicu. Svako opažanje dojavite "
                "kontaktnoj točki.",
            ),
        },
        "named",
        ["HR"],
        "H1",
        "B3",
    ),
    (
        "situation",
        {
            "sl": (
                "Porast prehodov čez Savo na območju Brodsko-posavske županije",
                "V začetku leta se je povečalo število prehodov čez reko Savo; skupine nato z "
                "vlakom nadaljujejo pot proti Zagrebu in slovenski meji.",
            ),
            "it": (
                "Aumento degli attraversamenti del fiume Sava nella regione di Brod-Posavina",
                "All'inizio dell'anno sono aumentati gli attraversamenti del fiume Sava; i "
                "gruppi proseguono in treno verso Zagabria e il confine sloveno.",
            ),
            "hr": (
                "Porast prelazaka preko Save na području Brodsko-posavske županije",
                "Početkom godine povećao se broj prelazaka preko rijeke Save; skupine nastavljaju "
                "vlakom prema Zagrebu i slovenskoj granici.",
            ),
        },
        "partners",
        [],
        "H0",
        "A1",
    ),
    (
        "modus_operandi",
        {
            "sl": (
                "Lokalni taksisti najeti za zadnji del poti do Trsta",
                "Osebe, ki so mejo prečkale pri Sežani, do Trsta prevažajo lokalni taksisti, "
                "plačani z gotovino; mesta prevzema so v bližini Fernettija.",
            ),
            "it": (
                "Tassisti ingaggiati per l'ultimo tratto fino a Trieste",
                "Le persone che hanno attraversato il confine nei pressi di Sežana vengono "
                "accompagnate a Trieste da tassisti locali pagati in contanti; punti di raccolta "
                "nei pressi di Fernetti.",
            ),
            "hr": (
                "Taksisti unajmljeni za posljednju dionicu puta do Trsta",
                "Osobe koje su prešle granicu kod Sežane do Trsta prevoze lokalni taksisti "
                "plaćeni u gotovini; mjesta preuzimanja nalaze se u blizini Fernettija.",
            ),
        },
        "named",
        ["IT"],
        "H0",
        "B2",
    ),
    (
        "lookout",
        {
            "sl": (
                "Ponarejene bolgarske osebne izkaznice iste serije, odkrite pri Fernettiju",
                "Na kontrolni točki Fernetti so bile odkrite ponarejene bolgarske osebne "
                "izkaznice iste serije. Zaščitni elementi: na spodnjem robu manjka hologram.",
            ),
            "it": (
                "Carte d'identità bulgare contraffatte, serie rilevata a Fernetti",
                "Presso il posto di controllo di Fernetti sono state rilevate carte d'identità "
                "bulgare contraffatte della stessa serie. Elementi di sicurezza: ologramma "
                "assente sul bordo inferiore.",
            ),
            "hr": (
                "Krivotvorene bugarske osobne iskaznice iste serije otkrivene kod Fernettija",
                "Na kontrolnoj točki Fernetti otkrivene su krivotvorene bugarske osobne "
                "iskaznice iste serije. Zaštitni elementi: nedostaje hologram na donjem rubu.",
            ),
        },
        "partners",
        [],
        "H2",
        "A2",
    ),
    (
        "situation",
        {
            "sl": (
                "Rezultati mešanih patrulj na odseku Koper–Trst, 44. teden",
                "Mešane patrulje so na območju Krasa izsledile 47 oseb; večina jih je mejo s "
                "Hrvaško prečkala dva dni prej.",
            ),
            "it": (
                "Risultati delle pattuglie miste sulla tratta Capodistria–Trieste, settimana 44",
                "Le pattuglie miste hanno rintracciato 47 persone nell'area del Carso; la "
                "maggior parte aveva attraversato il confine dalla Croazia due giorni prima.",
            ),
            "hr": (
                "Rezultati mješovitih ophodnji na dionici Koper–Trst, 44. tjedan",
                "Mješovite ophodnje na području Krasa zatekle su 47 osoba; većina ih je iz "
                "Hrvatske prešla granicu dva dana ranije.",
            ),
        },
        "named",
        ["IT"],
        "H0",
        "A1",
    ),
    (
        "other",
        {
            "sl": (
                "Razpored dežurstev na kontaktni točki med prazniki",
                "Nacionalna kontaktna točka bo od 20. decembra do 7. januarja v vsaki izmeni "
                "imela dva dežurna policista.",
            ),
            "it": (
                "Turni del punto di contatto durante le festività",
                "Dal 20 dicembre al 7 gennaio il punto di contatto nazionale disporrà di due "
                "operatori di servizio per ogni turno.",
            ),
            "hr": (
                "Raspored dežurstava kontaktne točke tijekom blagdana",
                "Nacionalna kontaktna točka od 20. prosinca do 7. siječnja imat će u svakoj "
                "smjeni po dva dežurna policijska službenika.",
            ),
        },
        "national",
        [],
        "H0",
        "A1",
    ),
    (
        "modus_operandi",
        {
            "sl": (
                "Migranti po telefonu vodeni od Bihaća do Cetingrada",
                "Skupine prejemajo koordinate GPS prek aplikacij za sporočanje, čez mejo v "
                "bližini Cetingrada in Slunja pa jih vodijo po telefonu.",
            ),
            "it": (
                "Migranti guidati per telefono da Bihać a Cetingrad",
                "I gruppi ricevono le coordinate GPS tramite app di messaggistica e vengono "
                "guidati per telefono attraverso il confine nei pressi di Cetingrad e Slunj.",
            ),
            "hr": (
                "Migranti telefonski navođeni od Bihaća do Cetingrada",
                "Skupine putem aplikacija za razmjenu poruka dobivaju GPS koordinate, a preko "
                "granice u blizini Cetingrada i Slunja navode ih telefonom.",
            ),
        },
        "partners",
        [],
        "H3",
        "C3",
    ),
]


def load(users: dict, rng: random.Random) -> int:
    if Notice.objects.exists():
        return 0
    authors = {"SI": users["si.duty"], "IT": users["it.duty"], "HR": users["hr.duty"]}
    count = 0
    for country, author in authors.items():
        language = LANGUAGE[country]
        for i, (kind, texts, dist, named, handling, evaluation) in enumerate(TEMPLATES):
            if rng.random() < 0.35:
                continue
            title, body = texts[language]
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
                handling_note=HANDLING_NOTE[language] if handling == "H3" else "",
                source_reliability=evaluation[0],
                information_accuracy=evaluation[1],
                has_personal_data=personal,
                data_subject_category="suspect" if personal else "",
                review_by=(timezone.localdate() + timedelta(days=365)) if personal else None,
                persons_concerned=PERSONS_CONCERNED[language] if personal else "",
            )
            age = timedelta(hours=rng.randint(1, 24 * 20))
            Notice.objects.filter(pk=notice.pk).update(
                created_at=timezone.now() - age, updated_at=timezone.now() - age
            )
            count += 1
    return count
