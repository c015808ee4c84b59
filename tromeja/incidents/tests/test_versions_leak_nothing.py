"""Earlier versions of a report show only what the reader may see, in words;
a country the owner stopped sharing with loses the report and its versions."""

import html
import re

import pytest

from tromeja import testing
from tromeja.core.models import Agency, Country, Unit
from tromeja.core.roles import Role
from tromeja.incidents import services
from tromeja.incidents.models import Incident, IncidentVersion
from tromeja.incidents.queries import readable_versions

pytestmark = pytest.mark.django_db

# Readers beyond the three countries: Austria as an associated partner (gets
# only what names it) and Bosnia and Herzegovina as a third country (no
# partnership, gets nothing).
EXTRA = {
    "at_duty": ("AT", "associated", [Role.DUTY_OFFICER]),
    "ba_duty": ("BA", "none", [Role.DUTY_OFFICER]),
}


def _extra_persona(name):
    from tromeja.accounts.services import create_user

    code, partnership, roles = EXTRA[name]
    Country.objects.filter(code=code).update(partnership=partnership)
    agency, _made = Agency.objects.get_or_create(
        code=f"{code.lower()}-police",
        defaults={
            "country_id": code,
            "name": f"{code} police",
            "name_en": f"{code} police",
            "kind": "police",
        },
    )
    unit, _made = Unit.objects.get_or_create(
        code=f"{code.lower()}-spoc",
        defaults={
            "agency": agency,
            "name": f"{code} contact point",
            "name_en": f"{code} contact point",
            "kind": "contact_point",
        },
    )
    user = create_user(
        username=name,
        password=testing.PASSWORD,
        unit=unit,
        roles=roles,
        first_name=code,
        last_name="Duty",
        language="en",
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


@pytest.fixture
def readers(persona):
    """Every persona of tromeja.testing, the associated partner and the third
    country, by name."""
    people = {name: persona(name) for name in testing.PERSONAS}
    for name in EXTRA:
        if name not in people:
            people[name] = _extra_persona(name)
    return people


def _edit(user, report, **fields):
    report = Incident.objects.get(pk=report.pk)
    return services.update_incident(user=user, incident=report, **fields)


@pytest.fixture
def story(readers):
    """A national report (hidden from every partner), and a report that
    follows it up, shared by name with Italy, Croatia and Austria, then
    corrected, then withdrawn from Croatia and Austria."""
    officer, supervisor = readers["sl_duty"], readers["sl_supervisor"]
    hidden = testing.incident(officer, validate_by=supervisor, place_name="Secret farm")
    report = testing.incident(
        officer, validate_by=None, place_name="Old mill", follows=hidden.reference
    )
    services.submit_incident(user=officer, incident=report)
    services.validate_incident(
        user=supervisor, incident=report, distribution="named", shared_with=["IT", "HR", "AT"]
    )
    _edit(officer, report, place_name="New mill")  # version 1 kept
    _edit(officer, report, distribution="named", shared_with=["IT"])  # version 2 kept
    return {"hidden": hidden, "report": Incident.objects.get(pk=report.pk)}


def _may_see(user, report):
    return Incident.objects.restrict(user).filter(pk=report.pk).exists()


def _internal_ids(report):
    """User ids and unit ids held in the stored copies, as they would print."""
    ids = set()
    for snapshot in IncidentVersion.objects.filter(incident=report).values_list(
        "snapshot", flat=True
    ):
        for name in ("created_by", "updated_by", "validated_by", "owner_agency"):
            if snapshot.get(name) is not None:
                ids.add(f"'{name}': {snapshot[name]}")
    return ids


def test_the_stored_copy_does_hold_the_hidden_link_the_page_must_not_show(story):
    stored = IncidentVersion.objects.get(incident=story["report"], version=1).snapshot
    assert stored["follows"] == str(story["hidden"].pk)


def test_every_reader_sees_no_hidden_report_and_no_user_id_in_any_version(readers, story, client):
    hidden, report = story["hidden"], story["report"]
    forbidden_always = {"{'", "':", "<pre", "snapshot", *_internal_ids(report)}
    for name, user in readers.items():
        client.logout()
        testing.sign_in(client, user)
        page = client.get(f"/incidents/{report.pk}/")
        body = html.unescape(page.content.decode())
        for text in forbidden_always:
            assert text not in body, (name, text)
        if not _may_see(user, hidden):
            assert str(hidden.pk) not in body, name
            assert hidden.reference not in body, name
            assert "Secret farm" not in body, name
        if page.status_code != 200:
            assert page.status_code in (403, 404), name
            assert "Old mill" not in body and "New mill" not in body, name
            continue
        shown = readable_versions(user, report)
        assert [v.version for v in shown] == [2, 1], name
        assert body.count('class="d-inline version"') == 2, name
        # In words: labels and the values a person reads.
        assert "Place" in body and "Old mill" in body and "New mill" in body, name
        assert "Irregular border crossing" in body and "Named partner countries" in body, name
        if _may_see(user, hidden):
            assert hidden.reference in body, name


def test_only_the_owner_country_and_italy_read_the_report_and_its_versions(readers, story):
    report = story["report"]
    reading = {name for name, user in readers.items() if readable_versions(user, report)}
    countries = {readers[name].country_code for name in reading}
    assert countries == {"SI", "IT"}
    # Croatia and Austria could read versions 1 and 2; the owner withdrew the
    # report from them, so they get neither the report nor its versions.
    for name in ("hr_analyst", "hr_duty", "at_duty", "ba_duty"):
        assert not _may_see(readers[name], report)
        assert readable_versions(readers[name], report) == []


def test_a_withdrawn_country_gets_404_for_the_report_and_every_version(readers, story, client):
    report = story["report"]
    for name in ("hr_analyst", "at_duty"):
        client.logout()
        testing.sign_in(client, readers[name])
        assert client.get(f"/incidents/{report.pk}/").status_code == 404
        assert client.get(f"/api/v1/incidents/{report.pk}").status_code == 404


def test_a_country_added_later_does_not_read_what_it_was_not_sent(readers, client):
    officer, supervisor = readers["sl_duty"], readers["sl_supervisor"]
    report = testing.incident(officer, validate_by=supervisor, place_name="First, national")
    _edit(officer, report, place_name="Then shared")
    _edit(officer, report, distribution="named", shared_with=["IT"])
    _edit(officer, report, place_name="Corrected after sharing")
    italian = readers["it_duty"]
    # Versions 1 and 2 were national; version 3 was the first Italy received.
    assert [v.version for v in readable_versions(italian, report)] == [3]
    testing.sign_in(client, italian)
    body = client.get(f"/incidents/{report.pk}/").content.decode()
    assert "Then shared" in body and "Corrected after sharing" in body
    assert "First, national" not in body
    assert [v.version for v in readable_versions(officer, report)] == [3, 2, 1]


def test_a_version_says_which_fields_the_next_one_changed(readers, story):
    versions = readable_versions(readers["it_duty"], story["report"])
    first = {row.label: row for row in versions[-1].rows}
    assert first["Place"].value == "Old mill" and first["Place"].changed
    assert not first["Type"].changed
    assert first["Named partner countries"].value == "Austria, Croatia, Italy"
    counts = versions[-1].lists[0]
    assert counts.lines == ["6 × Afghanistan, Male, Adult"] and not counts.changed
    # A reader who may not see the earlier report finds no "Follow-up of" row;
    # the owner country reads its reference.
    assert "Follow-up of" not in first
    own = {r.label: r for r in readable_versions(readers["sl_duty"], story["report"])[-1].rows}
    assert own["Follow-up of"].value == story["hidden"].reference


def test_the_page_shows_versions_in_the_readers_language(readers, story, client):
    italian = readers["it_duty"]
    italian.language = "it"
    italian.save(update_fields=["language"])
    testing.sign_in(client, italian)
    body = client.get(f"/incidents/{story['report'].pk}/").content.decode()
    section = re.search(
        r'<section class="mt-4" aria-labelledby="timeline-title">.*?</section>', body, re.S
    ).group(0)
    assert "Old mill" in section and "{" not in section
