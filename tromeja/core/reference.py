"""Reference data of the cooperation: countries, agencies and their units.

Public names as the agencies use them. Loaded by a data migration on every new
node and kept up to date by `tromeja load-reference`; node administrators edit
it further in the administration. Adding a partner (Austria, Hungary, the
Border Police of Bosnia and Herzegovina) is data here, not code.
"""

# code, partnership, EU, Schengen, time zone of its contact point
COUNTRIES = [
    ("SI", "full", True, True, "Europe/Ljubljana"),
    ("IT", "full", True, True, "Europe/Rome"),
    ("HR", "full", True, True, "Europe/Zagreb"),
    ("AT", "none", True, True, "Europe/Vienna"),
    ("HU", "none", True, True, "Europe/Budapest"),
    ("BA", "none", False, False, "Europe/Sarajevo"),
    ("RS", "none", False, False, "Europe/Belgrade"),
    ("ME", "none", False, False, "Europe/Podgorica"),
]

# code, country, official name, English name, kind
AGENCIES = [
    ("si-policija", "SI", "Policija", "Slovenian Police", "police"),
    ("it-polizia", "IT", "Polizia di Stato", "Italian State Police", "police"),
    ("it-carabinieri", "IT", "Arma dei Carabinieri", "Carabinieri", "gendarmerie"),
    ("hr-policija", "HR", "Ministarstvo unutarnjih poslova – Ravnateljstvo policije",
     "Croatian Police (Ministry of the Interior – General Police Directorate)", "police"),
]  # fmt: skip

# code, agency, parent, official name, English name, kind, seat, contact point
UNITS = [
    # Slovenia
    ("si-gpu", "si-policija", None, "Generalna policijska uprava",
     "General Police Directorate", "headquarters", "Ljubljana", False),
    ("si-smps", "si-policija", "si-gpu", "Sektor za mednarodno policijsko sodelovanje",
     "International Police Cooperation Division", "contact_point", "Ljubljana", True),
    ("si-smp", "si-policija", "si-gpu", "Sektor mejne policije",
     "Border Police Division", "border_directorate", "Ljubljana", False),
    ("si-pu-celje", "si-policija", "si-gpu", "Policijska uprava Celje",
     "Celje Police Directorate", "regional", "Celje", False),
    ("si-pu-koper", "si-policija", "si-gpu", "Policijska uprava Koper",
     "Koper Police Directorate", "regional", "Koper", False),
    ("si-pu-kranj", "si-policija", "si-gpu", "Policijska uprava Kranj",
     "Kranj Police Directorate", "regional", "Kranj", False),
    ("si-pu-ljubljana", "si-policija", "si-gpu", "Policijska uprava Ljubljana",
     "Ljubljana Police Directorate", "regional", "Ljubljana", False),
    ("si-pu-maribor", "si-policija", "si-gpu", "Policijska uprava Maribor",
     "Maribor Police Directorate", "regional", "Maribor", False),
    ("si-pu-murska-sobota", "si-policija", "si-gpu", "Policijska uprava Murska Sobota",
     "Murska Sobota Police Directorate", "regional", "Murska Sobota", False),
    ("si-pu-nova-gorica", "si-policija", "si-gpu", "Policijska uprava Nova Gorica",
     "Nova Gorica Police Directorate", "regional", "Nova Gorica", False),
    ("si-pu-novo-mesto", "si-policija", "si-gpu", "Policijska uprava Novo mesto",
     "Novo mesto Police Directorate", "regional", "Novo mesto", False),
    ("si-pmp-obrezje", "si-policija", "si-pu-novo-mesto", "Postaja mejne policije Obrežje",
     "Obrežje Border Police Station", "station", "Obrežje", False),
    ("si-pmp-metlika", "si-policija", "si-pu-novo-mesto", "Postaja mejne policije Metlika",
     "Metlika Border Police Station", "station", "Metlika", False),
    ("si-pmp-koper", "si-policija", "si-pu-koper", "Postaja mejne policije Koper",
     "Koper Border Police Station", "station", "Koper", False),
    # Italy
    ("it-dps", "it-polizia", None, "Dipartimento della Pubblica Sicurezza",
     "Department of Public Security", "headquarters", "Roma", False),
    ("it-scip", "it-polizia", "it-dps", "Servizio per la Cooperazione Internazionale di Polizia",
     "International Police Cooperation Service", "contact_point", "Roma", True),
    ("it-dcipf", "it-polizia", "it-dps",
     "Direzione Centrale dell'Immigrazione e della Polizia delle Frontiere",
     "Central Directorate for Immigration and Border Police", "border_directorate", "Roma", False),
    ("it-zona-iv", "it-polizia", "it-dcipf", "IV Zona Polizia di Frontiera",
     "Border Police IV Zone", "border_directorate", "Udine", False),
    ("it-questura-trieste", "it-polizia", "it-dps", "Questura di Trieste",
     "Trieste Police Headquarters", "regional", "Trieste", False),
    ("it-questura-gorizia", "it-polizia", "it-dps", "Questura di Gorizia",
     "Gorizia Police Headquarters", "regional", "Gorizia", False),
    ("it-questura-udine", "it-polizia", "it-dps", "Questura di Udine",
     "Udine Police Headquarters", "regional", "Udine", False),
    ("it-cc-fvg", "it-carabinieri", None, "Legione Carabinieri Friuli Venezia Giulia",
     "Carabinieri Friuli Venezia Giulia Legion", "regional", "Udine", False),
    # Croatia
    ("hr-rp", "hr-policija", None, "Ravnateljstvo policije",
     "General Police Directorate", "headquarters", "Zagreb", False),
    ("hr-smps", "hr-policija", "hr-rp", "Sektor za međunarodnu policijsku suradnju",
     "International Police Cooperation Service", "contact_point", "Zagreb", True),
    ("hr-uzg", "hr-policija", "hr-rp", "Uprava za granicu",
     "Border Directorate", "border_directorate", "Zagreb", False),
    ("hr-pu-sisacko-moslavacka", "hr-policija", "hr-rp", "Policijska uprava sisačko-moslavačka",
     "Sisak-Moslavina Police Administration", "regional", "Sisak", False),
    ("hr-pu-karlovacka", "hr-policija", "hr-rp", "Policijska uprava karlovačka",
     "Karlovac Police Administration", "regional", "Karlovac", False),
    ("hr-pu-licko-senjska", "hr-policija", "hr-rp", "Policijska uprava ličko-senjska",
     "Lika-Senj Police Administration", "regional", "Gospić", False),
    ("hr-pu-zadarska", "hr-policija", "hr-rp", "Policijska uprava zadarska",
     "Zadar Police Administration", "regional", "Zadar", False),
    ("hr-pu-sibensko-kninska", "hr-policija", "hr-rp", "Policijska uprava šibensko-kninska",
     "Šibenik-Knin Police Administration", "regional", "Šibenik", False),
    ("hr-pu-splitsko-dalmatinska", "hr-policija", "hr-rp",
     "Policijska uprava splitsko-dalmatinska", "Split-Dalmatia Police Administration",
     "regional", "Split", False),
    ("hr-pu-dubrovacko-neretvanska", "hr-policija", "hr-rp",
     "Policijska uprava dubrovačko-neretvanska", "Dubrovnik-Neretva Police Administration",
     "regional", "Dubrovnik", False),
    ("hr-pu-brodsko-posavska", "hr-policija", "hr-rp", "Policijska uprava brodsko-posavska",
     "Brod-Posavina Police Administration", "regional", "Slavonski Brod", False),
    ("hr-pu-vukovarsko-srijemska", "hr-policija", "hr-rp",
     "Policijska uprava vukovarsko-srijemska", "Vukovar-Srijem Police Administration",
     "regional", "Vukovar", False),
    ("hr-pu-osjecko-baranjska", "hr-policija", "hr-rp", "Policijska uprava osječko-baranjska",
     "Osijek-Baranja Police Administration", "regional", "Osijek", False),
    ("hr-pu-zagrebacka", "hr-policija", "hr-rp", "Policijska uprava zagrebačka",
     "Zagreb Police Administration", "regional", "Zagreb", False),
    ("hr-pu-primorsko-goranska", "hr-policija", "hr-rp",
     "Policijska uprava primorsko-goranska", "Primorje-Gorski Kotar Police Administration",
     "regional", "Rijeka", False),
    ("hr-pu-istarska", "hr-policija", "hr-rp", "Policijska uprava istarska",
     "Istria Police Administration", "regional", "Pula", False),
    ("hr-pu-krapinsko-zagorska", "hr-policija", "hr-rp",
     "Policijska uprava krapinsko-zagorska", "Krapina-Zagorje Police Administration",
     "regional", "Krapina", False),
    ("hr-pu-varazdinska", "hr-policija", "hr-rp", "Policijska uprava varaždinska",
     "Varaždin Police Administration", "regional", "Varaždin", False),
    ("hr-pu-medimurska", "hr-policija", "hr-rp", "Policijska uprava međimurska",
     "Međimurje Police Administration", "regional", "Čakovec", False),
    ("hr-pgp-bregana", "hr-policija", "hr-pu-zagrebacka", "Postaja granične policije Bregana",
     "Bregana Border Police Station", "station", "Bregana", False),
    ("hr-pgp-cetingrad", "hr-policija", "hr-pu-karlovacka", "Postaja granične policije Cetingrad",
     "Cetingrad Border Police Station", "station", "Cetingrad", False),
]  # fmt: skip


def load(Country, Agency, Unit) -> None:  # noqa: N803 (model classes, also historical ones)
    """Create or update the reference rows; safe to run again."""
    # Historical models of earlier migrations may lack later fields.
    has_zone = any(f.name == "time_zone" for f in Country._meta.get_fields())
    for code, partnership, eu, schengen, zone in COUNTRIES:
        defaults = {"partnership": partnership, "is_eu": eu, "is_schengen": schengen}
        if has_zone:
            defaults["time_zone"] = zone
        Country.objects.update_or_create(code=code, defaults=defaults)
    for code, country, name, name_en, kind in AGENCIES:
        Agency.objects.update_or_create(
            code=code,
            defaults={"country_id": country, "name": name, "name_en": name_en, "kind": kind},
        )
    agencies = {a.code: a.pk for a in Agency.objects.all()}
    for code, agency, parent, name, name_en, kind, city, spoc in UNITS:
        Unit.objects.update_or_create(
            code=code,
            defaults={
                "agency_id": agencies[agency],
                "parent_id": Unit.objects.get(code=parent).pk if parent else None,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "city": city,
                "is_contact_point": spoc,
            },
        )
