"""One rule for H2 in every export and print (core/exports.py): a partner's H2
record is in the own copy of a country it was shared with, stamped H2, and
a third country never sees it, in incident exports, notice exports and the
contact-point case print alike."""

import csv
import io
import json

from tromeja import testing
from tromeja.exchange import services as exchange


def _references(response) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {r["reference"]: r["handling_code"] for r in rows}


def test_a_named_partner_exports_a_partners_h2_report_stamped_and_a_third_country_does_not(
    persona,
):
    it_duty, it_sup = persona("it_duty"), persona("it_supervisor")
    report = testing.incident(
        it_duty, validate_by=it_sup, handling_code="H2", distribution="named", shared_with=["SI"]
    )
    slovenia = testing.client_for(persona("sl_duty"))
    for fmt in ("csv", "geojson"):
        response = slovenia.post("/incidents/export/", {"format": fmt})
        assert 'filename="incidents-H2-' in response["Content-Disposition"]
    assert _references(slovenia.post("/incidents/export/", {"format": "csv"})) == {
        report.reference: "H2"
    }
    geo = json.loads(slovenia.post("/incidents/export/", {"format": "geojson"}).content)
    assert [f["properties"]["handling_code"] for f in geo["features"]] == ["H2"]
    croatia = testing.client_for(persona("hr_duty"))
    assert _references(croatia.post("/incidents/export/", {"format": "csv"})) == {}


def test_a_named_partner_exports_a_partners_h2_notice_and_a_third_country_does_not(persona):
    notice = testing.notice(
        persona("it_duty"), handling_code="H2", distribution="named", shared_with=["SI"]
    )
    for who, expected in (("sl_duty", [str(notice.pk)]), ("hr_duty", [])):
        response = testing.client_for(persona(who)).post("/notices/export/")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert [r["id"] for r in rows] == expected
        assert all(r["handling_code"] == "H2" for r in rows)


def test_a_case_print_holds_the_partners_h2_messages_stamped_and_a_third_country_gets_none(
    persona,
):
    case = exchange.send_request(
        user=persona("it_duty"),
        subject="Kombi UA AA0000A",
        body="Chi guida il furgone?",
        urgency="not_urgent",
        recipients=["SI"],
        handling_code="H2",
    )
    url = f"/exchange/cases/{case.pk}/print/"
    page = testing.client_for(persona("sl_duty")).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chi guida il furgone?" in text
    assert text.count("H2 – not to be passed on") == 2  # the case and its message
    assert testing.client_for(persona("hr_duty")).get(url).status_code == 404
