"""The search box: what it finds, for whom, and what it leaves in the audit trail."""

import pytest
from django.core.management import call_command

from tromeja import testing
from tromeja.core.models import AuditEntry
from tromeja.exchange import services as exchange
from tromeja.incidents import services as incidents
from tromeja.search import queries

PLATE = "ZG 1234-AB"


def _vehicle(plate=PLATE, country="HR"):
    return incidents.Entities(
        counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 2}],
        vehicles=[{"plate": plate, "registration_country": country}],
    )


def api(client, q, **extra):
    return client.get("/api/v1/search", {"q": q, **extra}, HTTP_X_PURPOSE="case 2026/9")


def found(response, group=None):
    body = response.json()
    return {
        h["reference"] or h["title"]
        for g in body["groups"]
        if group in (None, g["name"])
        for h in g["hits"]
    }


@pytest.fixture
def plate_world(persona):
    hr_duty, hr_sup = persona("hr_duty"), persona("hr_supervisor")
    it_duty = persona("it_duty")
    shared = testing.incident(hr_duty, persons_total=2, entities=_vehicle(), narrative="Kombi")
    with testing.context.acting(testing.context.ActionContext(purpose="fixture")):
        incidents.submit_incident(user=hr_duty, incident=shared)
        incidents.validate_incident(
            user=hr_sup, incident=shared, distribution="named", shared_with=["SI"]
        )
    national = testing.incident(
        hr_duty,
        persons_total=2,
        entities=_vehicle("ZG1234AB"),
        validate_by=hr_sup,
        narrative="Only Croatia",
    )
    draft = testing.incident(
        it_duty, persons_total=2, entities=_vehicle("zg-1234 ab"), narrative="Italian draft"
    )
    case = exchange.send_request(
        user=it_duty,
        subject="Van seen at Fernetti",
        body="Please check the van.",
        urgency="not_urgent",
        recipients=["SI"],
        vehicles=[{"plate": "ZG 1234 AB", "registration_country": "HR"}],
    )
    return {"shared": shared, "national": national, "draft": draft, "case": case}


def test_a_plate_is_found_by_whoever_may_see_each_record(persona, plate_world):
    w = plate_world
    si = testing.client_for(persona("sl_duty"))
    response = api(si, "zg 1234ab")
    assert response.status_code == 200
    assert found(response) == {w["shared"].reference, w["case"].reference}
    body = response.content.decode()
    for hidden in ("national", "draft"):
        assert w[hidden].reference not in body
        assert str(w[hidden].pk) not in body
    assert "Only Croatia" not in body and "Italian draft" not in body
    # Croatia sees its two reports, not the Italian case addressed to Slovenia.
    hr = testing.client_for(persona("hr_duty"))
    assert found(api(hr, PLATE)) == {w["shared"].reference, w["national"].reference}
    # Italy sees its case and its draft, not the Croatian reports.
    it = testing.client_for(persona("it_duty"))
    assert found(api(it, "ZG-1234-AB")) == {w["case"].reference, w["draft"].reference}
    # The draft is its author's only, even in the author's country.
    it_sup = testing.client_for(persona("it_supervisor"))
    assert found(api(it_sup, PLATE)) == {w["case"].reference}
    # Only the groups asked for.
    only = api(si, PLATE, kinds=["exchange"]).json()
    assert [g["name"] for g in only["groups"]] == ["exchange"]


def test_a_search_is_a_consultation_with_the_purpose(persona, plate_world):
    si_duty = persona("sl_duty")
    client = testing.client_for(si_duty)
    before = AuditEntry.objects.count()
    api(client, "ZG 1234 AB")
    entry = AuditEntry.objects.filter(object_type="search").latest("seq")
    assert entry.action == "consultation"
    assert entry.purpose == "case 2026/117"  # the working purpose of the session
    assert entry.actor_username == si_duty.username
    assert {"kind": "vehicle", "value": "ZG1234AB"} in entry.detail["searched"]
    shown = {s["reference"] for s in entry.detail["shown"]}
    assert shown == {plate_world["shared"].reference, plate_world["case"].reference}
    assert AuditEntry.objects.count() > before


def test_no_purpose_no_search(persona, plate_world):
    user = persona("sl_duty")
    client = testing.client_for(user, purpose=None)
    response = client.get("/api/v1/search", {"q": PLATE})
    assert response.status_code == 428
    page = client.get("/search/", {"q": PLATE})
    assert page.status_code == 302 and "/purpose" in page["Location"]
    assert not AuditEntry.objects.filter(object_type="search").exists()


@pytest.mark.parametrize("written", ["Đorđević", "DJORDJEVIC", "dordevic", "Djordjević Marko"])
def test_names_are_folded(persona, written):
    user = persona("sl_duty")
    report = testing.incident(
        user,
        persons_total=1,
        entities=incidents.Entities(
            counts=[{"nationality": "RS", "sex": "m", "age_group": "adult", "count": 1}],
            persons=[
                {
                    "surname": "Đorđević",
                    "given_names": "Marko",
                    "category": "other",
                    "role": "migrant",
                }
            ],
        ),
    )
    assert found(api(testing.client_for(user), written)) == {report.reference}


@pytest.mark.parametrize("written", ["+386 41 123 456", "041/123-456", "00386 41 123456"])
def test_phones_in_any_written_form(persona, written):
    user = persona("sl_duty")
    report = testing.incident(
        user,
        persons_total=1,
        entities=incidents.Entities(
            counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 1}],
            phones=[{"number": "+38641123456"}],
        ),
    )
    response = api(testing.client_for(user), written)
    assert found(response) == {report.reference}
    assert {"kind": "phone", "value": "+38641123456"} in response.json()["searched"]


def test_words_of_reports_messages_and_notices_accents_folded(persona):
    si = persona("sl_duty")
    report = testing.incident(si, narrative="Skupina je prečkala reko pri Čatežu.")
    notice = testing.notice(si, title="Tihotapci", body="Kombiji na avtocesti pri Čatežu.")
    case = exchange.send_request(
        user=persona("it_duty"),
        subject="Richiesta",
        body="Il furgone è passato da Čatež ieri sera.",
        urgency="not_urgent",
        recipients=["SI"],
    )
    response = api(testing.client_for(si), "catezu")
    assert found(response, "reports") == {report.reference}
    assert found(response, "notices") == {notice.title}
    assert found(response, "exchange") == set()
    hit = response.json()["groups"][0]["hits"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "Čatežu"
    assert found(api(testing.client_for(si), "CATEZ"), "exchange") == {case.reference}
    assert found(api(testing.client_for(si), "PREČKALA reko")) == {report.reference}


def test_a_reference_is_found(persona):
    si, sup = persona("sl_duty"), persona("sl_supervisor")
    report = testing.incident(si, validate_by=sup)
    client = testing.client_for(si)
    assert found(api(client, report.reference.lower())) == {report.reference}
    country, year, number = report.reference.split("-")
    assert found(api(client, f"{country}-{year}-{int(number)}")) == {report.reference}
    # Croatia does not see a national Slovenian report by its reference either.
    assert found(api(testing.client_for(persona("hr_duty")), report.reference)) == set()


def test_the_page_groups_highlights_and_escapes(persona):
    si = persona("sl_duty")
    report = testing.incident(si, narrative="<script>alert(1)</script> kombi <b>Čatež</b>")
    response = testing.client_for(si).get("/search/", {"q": "čatež"})
    html = response.content.decode()
    assert response.status_code == 200
    assert report.reference in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>Čatež</mark>" in html
    assert "Incident reports" in html and "Notices" in html


def test_the_header_has_the_search_box_for_operational_roles_only(persona):
    html = testing.client_for(persona("sl_border")).get("/").content.decode()
    assert 'id="header-search-q"' in html
    html = testing.client_for(persona("sl_dpo")).get("/auditlog/").content.decode()
    assert 'id="header-search-q"' not in html


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR(a b)",
        "a OR b",
        "a AND NOT b",
        "-x",
        "^x",
        "body:x",
        "!!!",
        "' OR 1=1 --",
        "\\",
        "a & b | !c",
        "x:*",
        "(((",
        "🚐",
        "x" * 200,
    ],
)
def test_odd_queries_never_fail(persona, q):
    client = testing.client_for(persona("sl_duty"))
    assert api(client, q).status_code == 200
    assert client.get("/search/", {"q": q}).status_code == 200


def test_huge_and_nul_queries_are_refused_clearly(persona):
    client = testing.client_for(persona("sl_duty"))
    response = api(client, "x" * 4000)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("q")
    page = client.get("/search/", {"q": "x" * 4000})
    assert page.status_code == 200
    assert "at most 200 characters" in page.content.decode()
    assert api(client, "a\x00b").status_code == 422
    page = client.get("/search/", {"q": "a\x00b"})
    assert page.status_code == 200 and "Null characters" in page.content.decode()


def test_empty_query_searches_nothing(persona):
    client = testing.client_for(persona("sl_duty"), purpose=None)
    response = client.get("/api/v1/search")
    assert response.status_code == 200
    assert response.json() == {"query": "", "searched": [], "groups": []}
    assert client.get("/search/").status_code == 200
    assert not AuditEntry.objects.filter(object_type="search").exists()


def test_anonymous_and_roles_without_records(persona, client):
    assert client.get("/api/v1/search", {"q": "x"}).status_code == 401
    assert client.get("/search/", {"q": "x"})["Location"].startswith("/accounts/sign-in/")
    for name in ("sl_dpo", "sl_admin"):
        c = testing.client_for(persona(name))
        assert api(c, "x").status_code == 403
        assert c.get("/search/", {"q": "x"}).status_code == 403


def test_exchange_hits_only_for_contact_point_roles(persona):
    case = exchange.send_request(
        user=persona("it_duty"),
        subject="Furgone",
        body="Furgone bianco.",
        urgency="not_urgent",
        recipients=["SI"],
    )
    assert found(api(testing.client_for(persona("sl_duty")), "furgone")) == {case.reference}
    border = api(testing.client_for(persona("sl_border")), "furgone")
    assert found(border) == set()


def test_more_than_a_group_holds(persona):
    si = persona("sl_duty")
    for _ in range(queries.PER_GROUP + 2):
        testing.notice(si, title="Kombi", body="Bel kombi.")
    body = api(testing.client_for(si), "kombi").json()
    notices = next(g for g in body["groups"] if g["name"] == "notices")
    assert notices["more"] is True and len(notices["hits"]) == queries.PER_GROUP


def test_index_follows_changes_and_erasure_and_can_be_rebuilt(persona):
    si = persona("sl_duty")
    notice = testing.notice(si, title="Stari naslov", body="Prvo besedilo.")
    client = testing.client_for(si)
    from tromeja.notices.models import Notice

    Notice.objects.filter(pk=notice.pk).update(body="Drugo besedilo o čolnu.")
    assert found(api(client, "prvo")) == set()
    assert found(api(client, "colnu")) == {"Stari naslov"}
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(api(client, "colnu")) == {"Stari naslov"}
    Notice.objects.filter(pk=notice.pk).delete()
    assert found(api(client, "colnu")) == set()


def test_bulk_inserted_reports_are_indexed(persona):
    """Reports written by bulk_create (save_new_incidents, the import) are
    indexed by the triggers like any other write."""
    si = persona("sl_duty")
    prepared = [
        incidents.prepare_incident(
            user=si,
            entities=incidents.Entities(
                counts=[{"nationality": "AF", "sex": "m", "age_group": "adult", "count": 1}]
            ),
            **{**_report_fields(si), "narrative": f"Skupinski vnos {i} Zelenjava"},
        )
        for i in range(3)
    ]
    with testing.context.acting(testing.context.ActionContext(purpose="fixture")):
        made = incidents.save_new_incidents(user=si, prepared=prepared)
    assert found(api(testing.client_for(si), "zelenjava")) == {r.reference for r in made}


def _report_fields(user):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return {
        "type": "irregular_crossing",
        "occurred_at": now - timedelta(hours=3),
        "aware_at": now - timedelta(hours=2),
        "latitude": testing.NEAR_OBREZJE[0],
        "longitude": testing.NEAR_OBREZJE[1],
        "detection_method": "surveillance",
        "transport": "on_foot",
        "stage": "actual",
        "crossing_mode": "clandestine",
        "direction": "entry",
        "persons_total": 1,
        "impact_level": "low",
        "confidence": "confirmed",
        "source_reliability": "A",
        "information_accuracy": "1",
    }


def test_triggers_are_created_again_after_a_migrate(persona):
    """SQLite drops a table's triggers when a migration rebuilds it: the app
    creates them again after every migrate (post_migrate)."""
    from django.db import connection

    from tromeja.search.apps import _reinstall_triggers

    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("DROP TRIGGER search_index ON notices_notice")
        else:
            c.execute("DROP TRIGGER search_notice_insert")
    _reinstall_triggers(sender=None)
    si = persona("sl_duty")
    testing.notice(si, title="Po selitvi", body="Novi čoln.")
    assert found(api(testing.client_for(si), "coln")) == {"Po selitvi"}
