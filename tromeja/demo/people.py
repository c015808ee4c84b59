"""Demo accounts: one per role in each partner country, plus an outsider."""

from tromeja.core.roles import Role

DEMO_PASSWORD = "tromeja-demo-2026"  # noqa: S105 (printed by the demo on purpose)

# username, first, last, unit, roles, language
PEOPLE = [
    ("si.duty", "Mojca", "Novak", "si-smps", [Role.DUTY_OFFICER], "sl"),
    ("si.border", "Luka", "Horvat", "si-pmp-obrezje", [Role.BORDER_OFFICER], "sl"),
    ("si.supervisor", "Andrej", "Kovačič", "si-pu-novo-mesto", [Role.SUPERVISOR], "sl"),
    ("si.analyst", "Nina", "Zupan", "si-smp", [Role.ANALYST], "sl"),
    ("si.planner", "Rok", "Potočnik", "si-pu-koper", [Role.PATROL_PLANNER], "sl"),
    ("si.commander", "Tomaž", "Mlakar", "si-gpu", [Role.COMMANDER], "sl"),
    ("si.admin", "Maja", "Kos", "si-gpu", [Role.NODE_ADMIN], "sl"),
    ("si.dpo", "Petra", "Vidmar", "si-gpu", [Role.DATA_PROTECTION_OFFICER], "sl"),
    ("it.duty", "Giulia", "Rossi", "it-scip", [Role.DUTY_OFFICER], "it"),
    ("it.border", "Marco", "Bianchi", "it-zona-iv", [Role.BORDER_OFFICER], "it"),
    ("it.supervisor", "Francesca", "Romano", "it-questura-trieste", [Role.SUPERVISOR], "it"),
    ("it.analyst", "Alessandro", "Colombo", "it-dcipf", [Role.ANALYST], "it"),
    ("it.planner", "Davide", "Ricci", "it-questura-gorizia", [Role.PATROL_PLANNER], "it"),
    ("it.commander", "Roberto", "Marino", "it-dps", [Role.COMMANDER], "it"),
    ("it.admin", "Chiara", "Greco", "it-dps", [Role.NODE_ADMIN], "it"),
    ("it.dpo", "Elena", "Bruno", "it-dps", [Role.DATA_PROTECTION_OFFICER], "it"),
    ("hr.duty", "Ivana", "Kovačević", "hr-smps", [Role.DUTY_OFFICER], "hr"),
    ("hr.border", "Marko", "Babić", "hr-pgp-cetingrad", [Role.BORDER_OFFICER], "hr"),
    ("hr.supervisor", "Ante", "Marić", "hr-pu-karlovacka", [Role.SUPERVISOR], "hr"),
    ("hr.analyst", "Petra", "Jurić", "hr-uzg", [Role.ANALYST], "hr"),
    ("hr.planner", "Josip", "Knežević", "hr-pu-sisacko-moslavacka", [Role.PATROL_PLANNER], "hr"),
    ("hr.commander", "Tomislav", "Horvat", "hr-rp", [Role.COMMANDER], "hr"),
    ("hr.admin", "Marija", "Pavlović", "hr-rp", [Role.NODE_ADMIN], "hr"),
    ("hr.dpo", "Ana", "Božić", "hr-rp", [Role.DATA_PROTECTION_OFFICER], "hr"),
    ("si.trainee", "Jan", "Kralj", "si-pu-celje", [], "sl"),
]
