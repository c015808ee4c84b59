"""The report form as officers use it in the field: sections, times that start
at now in the officer's zone, no choice made for the officer, saved and
submitted in one step, and one report however often the form is sent."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from django.utils.formats import localize_input

from tromeja import testing
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry
from tromeja.core.transitions import StaleState
from tromeja.incidents import services
from tromeja.incidents.models import Incident
from tromeja.incidents.tests.test_incident_pages import form_data


def token_of(response) -> str:
    match = re.search(r'name="form_token" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "the form carries no one-time token"
    return match.group(1)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Sections ------------------------------------------------------------------


def test_the_form_comes_in_five_sections_with_both_actions(persona):
    client = testing.client_for(persona("sl_border"))
    page = client.get("/incidents/new/").content.decode()
    keys = re.findall(r'<fieldset class="card mb-3 incident-section" id="section-(\w+)"', page)
    assert keys == ["where", "what", "persons", "entities", "sharing"]
    where = page[page.index('id="section-where"') : page.index('id="section-what"')]
    assert 'id="incident-map"' in where and 'name="occurred_at"' in where
    assert 'name="latitude"' in where and 'name="type"' not in where
    what = page[page.index('id="section-what"') : page.index('id="section-persons"')]
    assert 'name="detection_method"' in what and 'name="persons_total"' in what
    persons = page[page.index('id="section-persons"') : page.index('id="section-entities"')]
    assert 'data-formset="counts"' in persons
    entities = page[page.index('id="section-entities"') : page.index('id="section-sharing"')]
    for name in ("persons", "vehicles", "phones", "documents"):
        assert f'data-formset="{name}"' in entities
    sharing = page[page.index('id="section-sharing"') :]
    assert 'name="handling_code"' in sharing and 'name="source_reliability"' in sharing
    assert 'name="save"' in page and 'name="submit"' in page
    assert "tromeja/incident_form.js" in page


def test_every_visible_field_of_the_form_is_in_a_section(persona):
    from tromeja.incidents.forms import IncidentForm, make_formsets

    form = IncidentForm(user=persona("sl_duty"))
    shown = {f.name for s in form.sections(make_formsets()) for f in s["fields"]}
    visible = {name for name, f in form.fields.items() if not f.widget.is_hidden}
    assert shown == visible


# --- Defaults ------------------------------------------------------------------


def rendered_time(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"{name} has no value"
    return match.group(1)


def test_times_start_at_now_in_the_officers_zone(persona):
    italian = persona("it_duty")
    assert italian.time_zone == "Europe/Rome"
    before = timezone.localtime(timezone.now(), ZoneInfo("Europe/Rome"))
    response = testing.client_for(italian).get("/incidents/new/")
    after = timezone.localtime(timezone.now(), ZoneInfo("Europe/Rome"))
    initial = response.context["form"].initial["occurred_at"]
    assert str(initial.tzinfo) == "Europe/Rome"
    assert initial.second == 0 and initial.microsecond == 0
    page = response.content.decode()
    # Drawn in the page language's own format (the first of its input formats).
    expected = {localize_input(t.replace(second=0, microsecond=0)) for t in (before, after)}
    assert rendered_time(page, "occurred_at") in expected
    assert rendered_time(page, "aware_at") in expected


def test_times_follow_the_users_own_zone_not_the_nodes(persona):
    officer = persona("sl_border")
    officer.time_zone = "America/New_York"  # an officer on mission abroad
    officer.save(update_fields=["time_zone"])
    before = timezone.localtime(timezone.now(), ZoneInfo("America/New_York"))
    page = testing.client_for(officer).get("/incidents/new/").content.decode()
    after = timezone.localtime(timezone.now(), ZoneInfo("America/New_York"))
    expected = {localize_input(t.replace(second=0, microsecond=0)) for t in (before, after)}
    assert rendered_time(page, "occurred_at") in expected


def selected_values(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select.group(1))


CHOICES_THE_OFFICER_MAKES = (
    "type",
    "detection_method",
    "transport",
    "impact_level",
    "confidence",
    "source_reliability",
    "information_accuracy",
)


def test_no_evaluation_code_detection_method_or_other_choice_is_pre_filled(persona):
    client = testing.client_for(persona("sl_border"))
    page = client.get("/incidents/new/").content.decode()
    for name in CHOICES_THE_OFFICER_MAKES:
        assert selected_values(page, name) == [""], name
    assert "— choose —" in page
    # The rows added from the template choose nothing either.
    template = page[page.index('data-formset="counts"') :]
    for name in ("counts-__prefix__-sex", "counts-__prefix__-age_group"):
        assert selected_values(template, name) == [""], name
    # Sent without them, the form names each one and saves nothing.
    data = form_data()
    for name in CHOICES_THE_OFFICER_MAKES:
        data.pop(name)
    response = client.post("/incidents/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(CHOICES_THE_OFFICER_MAKES) <= set(errors)
    assert not Incident.objects.exists()


def test_a_count_row_without_sex_or_age_is_refused(persona):
    client = testing.client_for(persona("sl_border"))
    data = form_data(**{"counts-0-sex": "", "counts-0-age_group": ""})
    response = client.post("/incidents/new/", data)
    assert response.status_code == 200
    row = response.context["formsets"]["counts"].forms[0]
    assert {"sex", "age_group"} <= set(row.errors)
    assert not Incident.objects.exists()


# --- Save and submit in one step --------------------------------------------------


def test_save_and_submit_files_the_report_for_validation_in_one_step(persona):
    officer = persona("hr_border")
    client = testing.client_for(officer)
    data = form_data(latitude="45.155", longitude="15.735", submit="1")
    response = client.post("/incidents/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    report = Incident.objects.get()
    assert response["Location"] == f"/incidents/{report.pk}/"
    assert report.status == "submitted" and report.submitted_at is not None
    assert report.reference.startswith("HR-")
    assert message_texts(response) == [
        f"Report {report.reference} saved and submitted for validation."
    ]
    entries = AuditEntry.objects.filter(object_id=str(report.pk))
    assert entries.filter(action=AuditAction.COLLECTION).count() == 1
    assert entries.filter(action=AuditAction.ALTERATION, detail__status="submitted").count() == 1
    # The supervisor of the country sees it waiting.
    supervisor = testing.client_for(persona("hr_supervisor"))
    assert report.reference in supervisor.get("/incidents/?status=submitted").content.decode()


def test_save_alone_keeps_a_draft(persona):
    client = testing.client_for(persona("sl_border"))
    response = client.post("/incidents/new/", form_data(save="1"))
    report = Incident.objects.get()
    assert report.status == "draft"
    assert message_texts(response) == [f"Report {report.reference} saved as a draft."]


def test_a_refused_report_is_neither_saved_nor_submitted(persona):
    client = testing.client_for(persona("sl_border"))
    response = client.post("/incidents/new/", form_data(persons_total="9", submit="1"))
    assert response.status_code == 200
    assert "adds up to 5" in response.content.decode()
    assert not Incident.objects.exists()
    assert not AuditEntry.objects.filter(object_type="incidents.incident").exists()


def edit_data(report, **overrides):
    """The edit form as sent: the lists are sent whole, as new rows."""
    return form_data(**overrides)


def test_editing_a_returned_report_saves_and_submits_it_again(persona):
    officer, supervisor = persona("sl_border"), persona("sl_supervisor")
    report = testing.incident(officer)
    services.submit_incident(user=officer, incident=report)
    services.return_incident(user=supervisor, incident=report, comment="Add the van")
    client = testing.client_for(officer)
    response = client.post(
        f"/incidents/{report.pk}/edit/", edit_data(report, narrative="With the van", submit="1")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.narrative == "With the van"
    assert message_texts(response) == [
        f"Report {report.reference} saved and submitted for validation."
    ]


def test_if_submitting_fails_the_changes_are_not_kept_either(persona, monkeypatch):
    officer = persona("sl_border")
    report = testing.incident(officer, narrative="As first written")
    client = testing.client_for(officer)
    mark = AuditEntry.objects.count()

    def refuse(**kwargs):
        raise StaleState("Changed in the meantime")

    monkeypatch.setattr(services, "submit_incident", refuse)
    response = client.post(
        f"/incidents/{report.pk}/edit/", edit_data(report, narrative="Changed", submit="1")
    )
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.status == "draft" and report.narrative == "As first written"
    assert report.counts.get().nationality == "AF"  # the lists are not replaced
    assert AuditEntry.objects.count() == mark
    # The same form can be sent again once the cause is gone: its token was not used up.
    monkeypatch.undo()
    token = token_of(client.get(f"/incidents/{report.pk}/edit/"))
    data = edit_data(report, narrative="Changed", submit="1", form_token=token)
    assert client.post(f"/incidents/{report.pk}/edit/", data).status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.narrative == "Changed"


def test_a_validated_report_is_corrected_without_a_submit_button(persona):
    officer = persona("sl_duty")
    report = testing.incident(officer, validate_by=persona("sl_supervisor"))
    page = testing.client_for(officer).get(f"/incidents/{report.pk}/edit/").content.decode()
    assert 'name="save"' in page and 'name="submit"' not in page


# --- The same form sent twice ---------------------------------------------------------


def test_the_same_form_sent_twice_makes_one_report(persona):
    client = testing.client_for(persona("sl_border"))
    token = token_of(client.get("/incidents/new/"))
    data = form_data(form_token=token, submit="1")
    first = client.post("/incidents/new/", data)
    client.get(first["Location"])  # the report page shows (and uses up) its message
    second = client.post("/incidents/new/", data)  # double tap, or reload after the post
    report = Incident.objects.get()
    assert first["Location"] == second["Location"] == f"/incidents/{report.pk}/"
    assert message_texts(second) == [
        f"This form was already sent: report {report.reference} was not saved a second time."
    ]
    assert report.status == "submitted"
    # A new form is a new report.
    other = token_of(client.get("/incidents/new/"))
    assert other != token
    client.post("/incidents/new/", form_data(form_token=other))
    assert Incident.objects.count() == 2


def test_a_refused_form_keeps_its_token_for_the_corrected_post(persona):
    client = testing.client_for(persona("sl_border"))
    token = token_of(client.get("/incidents/new/"))
    refused = client.post("/incidents/new/", form_data(form_token=token, persons_total="9"))
    assert token_of(refused) == token
    assert not Incident.objects.exists()
    client.post("/incidents/new/", form_data(form_token=token))
    client.post("/incidents/new/", form_data(form_token=token))
    assert Incident.objects.count() == 1


def test_the_token_is_the_users_own(persona):
    """Another officer's session does not know the token: a token is no
    handle on someone else's report."""
    first = testing.client_for(persona("sl_border"))
    token = token_of(first.get("/incidents/new/"))
    first.post("/incidents/new/", form_data(form_token=token))
    other = testing.client_for(persona("sl_duty"))
    response = other.post("/incidents/new/", form_data(form_token=token))
    assert response.status_code == 302
    assert Incident.objects.count() == 2
    assert Incident.objects.filter(created_by__username="sl_duty").count() == 1


def test_an_edit_sent_twice_is_saved_and_submitted_once(persona):
    officer = persona("sl_border")
    report = testing.incident(officer)
    client = testing.client_for(officer)
    token = token_of(client.get(f"/incidents/{report.pk}/edit/"))
    data = edit_data(report, narrative="Twice", submit="1", form_token=token)
    first = client.post(f"/incidents/{report.pk}/edit/", data)
    assert first.status_code == 302
    client.get(first["Location"])
    second = client.post(f"/incidents/{report.pk}/edit/", data)
    assert second.status_code == 302 and second["Location"] == f"/incidents/{report.pk}/"
    assert "not saved a second time" in message_texts(second)[0]
    entries = AuditEntry.objects.filter(object_id=str(report.pk), action=AuditAction.ALTERATION)
    assert entries.filter(detail__status="submitted").count() == 1


# --- Refusals -------------------------------------------------------------------------


def test_the_form_refuses_anonymous_users_and_wrong_roles(client, persona):
    response = client.post("/incidents/new/", form_data(submit="1"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    planner_like = testing.client_for(persona("sl_dpo"))
    assert planner_like.post("/incidents/new/", form_data(submit="1")).status_code == 403
    assert not Incident.objects.exists()


def test_nobody_else_saves_and_submits_a_draft(persona):
    report = testing.incident(persona("sl_border"))
    colleague = testing.client_for(persona("sl_duty"))  # same country, not the author
    data = edit_data(report, submit="1")
    assert colleague.post(f"/incidents/{report.pk}/edit/", data).status_code in {403, 404}
    croatian = testing.client_for(persona("hr_duty"))
    assert croatian.post(f"/incidents/{report.pk}/edit/", data).status_code == 404
    report.refresh_from_db()
    assert report.status == "draft"


# --- Country names --------------------------------------------------------------------


NAMES = {"sl": "Nemčija", "it": "Germania", "hr": "Njemačka"}


@pytest.mark.parametrize("language", sorted(NAMES))
def test_nationalities_are_country_names_in_the_readers_language(persona, language):
    owner, supervisor = persona("sl_duty"), persona("sl_supervisor")
    report = testing.incident(
        owner,
        validate_by=supervisor,
        distribution="partners",
        persons_total=3,
        entities=services.Entities(
            counts=[{"nationality": "DE", "sex": "f", "age_group": "adult", "count": 3}],
            vehicles=[{"plate": "B XY 123", "registration_country": "DE"}],
        ),
    )
    reader = {"sl": owner, "it": persona("it_duty"), "hr": persona("hr_duty")}[language]
    reader.language = language
    reader.save(update_fields=["language"])
    client = testing.client_for(reader)
    detail = client.get(f"/incidents/{report.pk}/").content.decode()
    assert f"<td>{NAMES[language]}</td>" in detail
    assert f"({NAMES[language]})" in detail  # the vehicle's registration country
    assert "<td>DE</td>" not in detail and "(DE)" not in detail
    form = client.get("/incidents/new/").content.decode()
    assert f'<option value="DE">{NAMES[language]}</option>' in form


def test_the_times_of_a_new_report_are_not_in_the_future(persona):
    """The defaults, sent as they are, are accepted (now, not a minute ahead)."""
    client = testing.client_for(persona("sl_border"))
    initial = client.get("/incidents/new/").context["form"].initial
    now = f"{initial['occurred_at']:%Y-%m-%dT%H:%M}"
    data = form_data(occurred_at=now, aware_at=now)
    assert client.post("/incidents/new/", data).status_code == 302


def test_a_refused_form_names_the_sections_to_correct(persona):
    client = testing.client_for(persona("sl_border"))
    data = form_data(**{"detection_method": "", "counts-0-sex": ""})
    response = client.post("/incidents/new/", data)
    page = response.content.decode()
    summary = page[
        page.index('id="form-errors"') : page.index("</div>", page.index('id="form-errors"'))
    ]
    assert '<a href="#section-what">2. What happened</a>' in summary
    assert '<a href="#section-persons">3. Persons</a>' in summary
    assert "#section-where" not in summary and "#section-sharing" not in summary
    assert not Incident.objects.exists()


def test_a_list_error_found_by_the_service_names_its_section(persona):
    client = testing.client_for(persona("sl_border"))
    response = client.post("/incidents/new/", form_data(**{"vehicles-0-plate": "$$$"}))
    page = response.content.decode()
    summary = page[
        page.index('id="form-errors"') : page.index("</ul>", page.index('id="form-errors"'))
    ]
    assert "#section-entities" in summary
