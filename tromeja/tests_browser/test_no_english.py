"""Acceptance: pages rendered in Slovenian, Italian and Croatian show no
English UI text.

Each page is rendered twice, in English and in the language under test, with
the same data; any piece of text that is the same in both and is not data
(names, titles, codes, numbers) is English left untranslated.

The browser runs in English (--lang=en-US), so that anything it draws itself
would be English on a Slovenian page: date pickers ("mm/dd/yyyy"), file
inputs ("Choose Files", "No file chosen"), validation bubbles ("Please fill
out this field."), unnamed buttons ("Submit") and <details> without a
summary ("Details"). No page may show any of them.
"""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.core.models import Agency, Job, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (parent && ["SCRIPT", "STYLE", "CODE", "svg", "title"].includes(parent.tagName)) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  document.querySelectorAll("[placeholder],[title],[aria-label],input[type=submit]").forEach(el => {
    for (const attr of ["placeholder", "title", "aria-label", "value"]) {
      const v = el.getAttribute(attr);
      if (v && (attr !== "value" || el.type === "submit")) out.push(v.trim());
    }
  });
  out.push(document.title);
  return out;
}"""

# What the browser would draw in its own language, found in the page.
BROWSER_NATIVE = """() => {
  const CHECKED_BY_BROWSER = "[required],[pattern],[min],[max],[minlength],[maxlength],"
    + "input[type=email],input[type=url],input[type=number]";
  const found = [];
  const where = el => el.name || el.id || el.outerHTML.slice(0, 80);
  document.querySelectorAll("input").forEach(el => {
    const type = (el.getAttribute("type") || "text").toLowerCase();
    if (["date", "datetime-local", "month", "week", "time"].includes(type) && el.type === type) {
      found.push("native " + type + " picker: " + where(el));
    }
    if (type === "file") {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const seen = box.width > 2 && box.height > 2
        && style.opacity !== "0" && style.visibility !== "hidden";
      if (seen) found.push("native file input: " + where(el));
      const label = el.closest("label");
      if (!label || !label.querySelector(".file-picker-button")) {
        found.push("file input without its button: " + where(el));
      }
    }
    if (["submit", "reset", "button"].includes(type) && !el.hasAttribute("value")) {
      found.push("input button named by the browser: " + where(el));
    }
  });
  document.querySelectorAll("form").forEach(form => {
    const checked = form.querySelector(CHECKED_BY_BROWSER);
    if (checked && !form.noValidate) {
      const action = form.getAttribute("action") || location.pathname;
      found.push("validation bubbles on: " + action + " (" + where(checked) + ")");
    }
  });
  document.querySelectorAll("details").forEach(d => {
    if (!d.querySelector(":scope > summary")) found.push("details without summary");
  });
  return found;
}"""

ENGLISH_BROWSER_ARGS = ["--lang=en-US", "--accept-lang=en-US,en"]


@pytest.fixture(scope="module")
def browser(browser):
    """A second chromium of the same Playwright, in English: whatever it
    draws itself would be English."""
    from tromeja.tests_browser.conftest import CHROMIUM, CHROMIUM_ARGS

    english = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *ENGLISH_BROWSER_ARGS]
    )
    yield english
    english.close()


# Names and identifiers, not UI text.
NOT_UI = {
    "Tromeja",
    "EN",
    "SL",
    "IT",
    "HR",
    "API",
    "CSV",
    "UUID",
    "OK",
    "FreeOTP",
    "Aegis",
    "argon2",
    "argon2id",
}
# Words each language uses as they are in English.
SAME_IN = {
    "it": {
        "Password",
        "Home",
        "Record",
        "hash",
        "salt",
        "Breadcrumbs",
        "Token",
        "Status",
        "Taxi",
        "File",
        "Slovenia",
    },
    "hr": {"Status", "hash", "Model", "Format", "Problem"},
    "sl": {"Model"},
}
NON_WORD = re.compile(r"^[\W\d_]*$")
IDENTIFIER = re.compile(r"^(Europe/[\w /-]+|[\w+/=]+\*{4,}|[\w.]+ [A-Z]{2})$")
# Times left such as "7 h 59 min": the units are the same in the four languages.
DURATION = re.compile(r"^\d+ [a-z]{1,3} \d+( [a-z]{1,3})?$")


def is_data(text: str, data: set[str], language: str) -> bool:
    for part in text.split(" · "):
        if _is_data_part(part, data, language):
            continue
        # "author, unit, country" or "→ country": each piece may be data.
        pieces = [p for p in re.split(r", |→ ?", part) if p.strip()]
        if len(pieces) > 1 and all(_is_data_part(p, data, language) for p in pieces):
            continue
        return False
    return True


def _is_data_part(part: str, data: set[str], language: str) -> bool:
    if IDENTIFIER.match(part.strip()):
        return True  # time zones, masked password hashes
    core = part.strip(" :·–-()[]*…,.›→")
    if not core or core in NOT_UI or core in SAME_IN[language] or NON_WORD.match(core):
        return True
    if not re.search(r"[a-z]{3}", core) or IDENTIFIER.match(core) or DURATION.match(core):
        return True  # codes such as H1, B2, 6AB-123
    if core in data or any(core in d for d in data if len(core) >= 4):
        return True
    words = re.findall(r"[^\W\d_]{3,}", core)
    # e.g. "Policija (Slovenia)": an agency and a country name
    return bool(words) and all(any(w in d for d in data) for w in words) and "(" in core


@pytest.fixture
def world():
    sl_duty = testing.make_persona("sl_duty")
    it_duty = testing.make_persona("it_duty")
    dpo = testing.make_persona("sl_dpo")
    admin = testing.make_persona("sl_admin")
    pending = testing.make_persona("sl_border")
    supervisor = testing.make_persona("sl_supervisor")
    own = testing.notice(
        sl_duty,
        title="Kombi VW Crafter UA AA1234BB",
        body="Skupina 23 oseb pri Metliki",
        handling_code="H3",
        handling_note="Samo za policijo",
        has_personal_data=True,
        persons_concerned="KOVALENKO Petro 1985",
        distribution="named",
        shared_with=["IT"],
    )
    testing.notice(
        it_duty,
        title="Furgone targato CZ 5T2 8841",
        body="Fernetti 04:10",
        distribution="partners",
        handling_code="H1",
    )
    from tromeja.auditlog.services import request_export
    from tromeja.incidents.services import Entities

    export = request_export(user=dpo, filters={})
    report = testing.incident(
        sl_duty,
        narrative="Skupina pri Obrežju",
        place_name="Obrežje",
        entities=Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 6}],
            vehicles=[{"plate": "LJ AB-123", "registration_country": "SI"}],
        ),
    )
    data = set()
    # A finished import with one rejected row, and a finished export.
    from tromeja.incidents import exports, imports

    rows = (
        "type,occurred_at,aware_at,latitude,longitude,detection_method,transport,"
        "impact_level,confidence,place_name\n"
        "smuggler,2026-03-01 02:00,2026-03-01 03:00,45.852,15.69,check,car,low,confirmed,Obrežje\n"
        "smuggler,2026-03-01 02:00,2026-03-01 03:00,4x,15.69,check,car,low,confirmed,Obrežje\n"
    ).encode()
    import_job = imports.request_import(
        user=sl_duty, data=rows, file_name="porocila.csv", mode="valid", submit=False
    )
    imports.run_import(import_job.pk)
    # The row errors are written in the importer's language at the time of the
    # import (here English); they are the outcome of that import, kept as it was.
    data |= {e["message"] for e in Job.objects.get(pk=import_job.pk).result["errors"]}
    export_job = exports.request_export(user=sl_duty, filters={}, fmt="csv")
    exports.run_export(export_job.pk)
    # A request from Italy to Slovenia, answered in part.
    from tromeja.exchange import services as exchange

    case = exchange.send_request(
        user=it_duty,
        subject="Furgone CZ 5T2 8841",
        body="Conducente?",
        urgency="urgent_direct",
        recipients=["SI"],
        persons=[
            {
                "surname": "Hadžić",
                "given_names": "Emir",
                "date_of_birth": "1988-04-12",
                "nationality": "BA",
                "category": "suspect",
            }
        ],
        vehicles=[{"plate": "5T2 8841", "registration_country": "CZ"}],
        places=[{"name": "Fernetti", "latitude": 45.69, "longitude": 13.83}],
    )
    exchange.reply(user=sl_duty, leg=case.legs.get(), kind="partial_answer", body="Preverjamo.")
    # A second request, left unanswered past its deadline, assigned; a shift on the roster.
    from datetime import timedelta

    from django.utils import timezone

    from tromeja.exchange import duty
    from tromeja.exchange.models import Leg

    late = exchange.send_request(
        user=it_duty,
        subject="Telefono +386 40 123 456",
        body="Intestatario?",
        urgency="urgent_direct",
        recipients=["SI"],
    )
    Leg.objects.filter(case=late).update(due_at=timezone.now() - timedelta(hours=2))
    duty.assign(user=sl_duty, leg=late.legs.get(), officer=sl_duty)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    duty.add_shift(
        user=supervisor,
        officer=sl_duty,
        role="duty_officer",
        starts_at=start,
        ends_at=start + timedelta(hours=8),
    )
    data |= {
        late.reference,
        "Telefono +386 40 123 456",
        f"{late.reference} – Telefono +386 40 123 456",
    }
    data |= {
        case.reference,
        "Furgone CZ 5T2 8841",
        "Conducente?",
        "Preverjamo.",
        "IT",
        "SI",
        f"{case.reference} – Furgone CZ 5T2 8841",
        "HADŽIĆ Emir (1988-04-12, BA)",
        "5T2 8841 (CZ)",
        "Fernetti",
    }
    data |= {"case 2026/117", "test fixture", "porocila.csv", "4x"}  # purposes, file data
    # Column names and codes of the import file are the same in every language.
    data |= set(imports.COLUMNS) | {", ".join(imports.REQUIRED), ", ".join(imports.OPTIONAL)}
    for choices in imports.CHOICES.values():
        data.add(", ".join(choices.values))
    for n in (
        own.title,
        own.body,
        own.handling_note,
        own.persons_concerned,
        "Furgone targato CZ 5T2 8841",
        "Fernetti 04:10",
    ):
        data.add(n)
    for user in User.objects.all():
        data |= {user.username, user.get_full_name(), user.first_name, user.last_name, str(user)}
    for unit in Unit.objects.all():
        data |= {unit.name, unit.name_en, unit.city, unit.code}
    # The map's labels: towns, villages and crossing points by their own names.
    from tromeja.geography.locate import crossings
    from tromeja.geography.places import places

    data |= {place.name for place in places()}
    data |= {" / ".join(c.names.values()) for c in crossings().values()}
    for agency in Agency.objects.all():
        data |= {agency.name, agency.name_en, agency.code}
    data |= {report.reference, report.narrative, report.place_name, "LJ AB-123"}
    from tromeja.geography.locate import sections

    for section in sections().values():  # place names, the same in every language
        data |= {section.name(lang) for lang in ("en", "sl", "it", "hr")}
    return {
        "sl_duty": sl_duty,
        "dpo": dpo,
        "admin": admin,
        "pending": pending,
        "supervisor": supervisor,
        "notice": own,
        "export": export,
        "data": data,
        "report": report,
        "import_job": import_job,
        "export_job": export_job,
        "case": case,
    }


def localized_country_names(language):
    from tromeja.core.countries import nationality_choices

    return {name for _code, name in nationality_choices(language)}


def session_cookie(user, *, verified=True):
    client = Client()
    if verified:
        testing.sign_in(client, user)
    else:
        client.force_login(user)
    return client.cookies["sessionid"].value


def texts(page, url, language, cookie=None):
    context = page.context
    context.clear_cookies()
    cookies = [{"name": "tromeja_language", "value": language, "url": page.base}]
    if cookie:
        cookies.append({"name": "sessionid", "value": cookie, "url": page.base})
    context.add_cookies(cookies)
    page.goto(page.base + url)
    page.wait_for_load_state("load")  # the deferred scripts have run
    return page.evaluate(COLLECT_TEXT)


def pages(world):
    notice = world["notice"].pk
    return [
        (None, "/accounts/sign-in/"),
        ("pending", "/accounts/second-factor/"),
        ("sl_duty", "/"),
        ("sl_duty", "/notices/"),
        ("sl_duty", "/notices/new/"),
        ("sl_duty", f"/notices/{notice}/"),
        ("sl_duty", f"/notices/{notice}/edit/"),
        ("sl_duty", f"/notices/{notice}/print/"),
        ("sl_duty", f"/notices/{notice}/erase/"),
        ("sl_duty", "/incidents/"),
        ("sl_duty", "/incidents/map/"),
        ("sl_duty", "/incidents/new/"),
        ("sl_duty", f"/incidents/{world['report'].pk}/"),
        ("sl_duty", f"/incidents/{world['report'].pk}/edit/"),
        ("sl_duty", "/incidents/import/"),
        ("sl_duty", "/exchange/"),
        ("sl_duty", "/exchange/new/"),
        ("sl_duty", f"/exchange/cases/{world['case'].pk}/"),
        ("sl_duty", f"/exchange/cases/{world['case'].pk}/print/"),
        ("sl_duty", "/exchange/inform/"),
        ("sl_duty", "/exchange/statistics/"),
        ("sl_duty", "/exchange/roster/"),
        ("supervisor", "/exchange/roster/"),
        ("supervisor", "/exchange/overdue/"),
        ("sl_duty", f"/incidents/jobs/{world['import_job'].pk}/"),
        ("sl_duty", f"/incidents/jobs/{world['export_job'].pk}/"),
        ("sl_duty", "/accounts/purpose/"),
        ("sl_duty", "/accounts/preferences/"),
        ("sl_duty", "/accounts/tokens/"),
        ("sl_duty", "/audit/"),  # 403 page
        ("sl_duty", "/notices/00000000-0000-7000-8000-000000000000/"),  # 404 page
        ("dpo", "/audit/"),
        ("dpo", f"/audit/exports/{world['export'].pk}/"),
        ("admin", "/admin/"),
        ("admin", "/admin/core/unit/"),
        ("admin", "/admin/core/country/"),
        ("admin", f"/admin/accounts/user/{world['sl_duty'].pk}/change/"),
    ]


@pytest.mark.parametrize("language", ["sl", "it", "hr"])
def test_pages_in_sl_it_and_hr_show_no_english(page, world, language):
    untranslated, native = {}, {}
    for who, url in pages(world):
        user = world[who] if who else None
        cookie = session_cookie(user, verified=who != "pending") if user else None
        rendered = {}
        for lang in ("en", language):
            if user is not None:
                # The signed-in user's saved language decides, as in real use.
                User.objects.filter(pk=user.pk).update(language=lang)
            rendered[lang] = texts(page, url, lang, cookie)
        english, local = set(rendered["en"]), rendered[language]
        assert page.locator("html").get_attribute("lang") == language, url
        drawn_by_browser = page.evaluate(BROWSER_NATIVE)
        if drawn_by_browser:
            native[url] = drawn_by_browser
        data = world["data"] | localized_country_names(language)
        same = sorted({t for t in local if t in english and not is_data(t, data, language)})
        if same:
            untranslated[url] = same
    assert not native, f"Browser-drawn English in {language}: {native}"
    assert not untranslated, f"English left in {language}: {untranslated}"


def test_dates_and_times_are_local_and_localized(page, world):
    # 23:30 UTC on 1 March is 00:30 on 2 March in Ljubljana.
    from tromeja.notices.models import Notice

    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    Notice.objects.filter(pk=world["notice"].pk).update(created_at=moment, updated_at=moment)
    user = world["sl_duty"]
    User.objects.filter(pk=user.pk).update(language="sl")
    body = " ".join(texts(page, "/notices/", "sl", session_cookie(user)))
    assert "2. 03. 26" in body or "2. 3. 2026" in body or "2.3.2026" in body, body[:2000]
    assert "00:30" in body or "0:30" in body


def test_the_check_finds_what_the_browser_draws_when_the_pages_own_controls_are_off(page, world):
    # Without inputs.js and inputs.css the file input and the validation
    # bubbles are the browser's own again, and the check must say so.
    page.route("**/static/tromeja/inputs.*", lambda route: route.abort())
    user = world["sl_duty"]
    User.objects.filter(pk=user.pk).update(language="sl")
    texts(page, "/incidents/import/", "sl", session_cookie(user))
    assert page.evaluate("navigator.language") == "en-US"  # the browser speaks English
    # Every form leaves checking to the server in its markup, without scripts ...
    assert page.evaluate(
        "() => Array.from(document.forms).every(f => f.hasAttribute('novalidate'))"
    )
    # ... and a form without it would be found.
    page.evaluate("() => document.forms[document.forms.length - 1].removeAttribute('novalidate')")
    found = " | ".join(page.evaluate(BROWSER_NATIVE))
    assert "native file input" in found and "validation bubbles" in found, found


def test_file_and_date_fields_speak_the_page_language(page, world):
    user = world["sl_duty"]
    User.objects.filter(pk=user.pk).update(language="sl")
    texts(page, "/incidents/import/", "sl", session_cookie(user))
    picker = page.locator(".file-picker").first
    from django.utils import translation

    with translation.override("sl"):
        choose, nothing = (
            translation.gettext("Choose a file"),
            translation.gettext("No file chosen"),
        )
    assert choose in picker.inner_text() and nothing in picker.inner_text()
    # The keyboard reaches the hidden input; choosing a file names it.
    picker.locator("input[type=file]").set_input_files(
        {"name": "porocila.csv", "mimeType": "text/csv", "buffer": b"type\n"}
    )
    assert "porocila.csv" in picker.locator(".file-picker-names").inner_text()
    texts(page, "/notices/new/", "sl", session_cookie(user))
    page.locator("input[name=has_personal_data]").check()  # shows the review date
    review = page.locator("input[name=review_by]")
    assert review.get_attribute("type") == "text"
    assert review.get_attribute("data-local-format") == "31.12.2026"
    with translation.override("sl"):
        from tromeja.core.widgets import pattern

        assert review.get_attribute("placeholder") == pattern("DATE_INPUT_FORMATS")
    review.focus()
    page.keyboard.type("03122026")
    assert review.input_value() == "03.12.2026"
    review.fill("")
    page.keyboard.type("03.12.2026")  # typing the separators too does not double them
    assert review.input_value() == "03.12.2026"
