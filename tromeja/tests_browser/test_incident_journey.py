"""Acceptance: a Slovenian border officer files a report on a tablet by
tapping the map; the supervisor validates it and shares it with Italy; the
Italian duty officer sees it on the map at once, a Croatian one does not."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OBREZJE = (45.852, 15.690)


def open_as(page, user, language):
    User.objects.filter(pk=user.pk).update(language=language)
    client = testing.sign_in(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base}]
    )


def test_report_filed_on_a_tablet_reaches_italy_and_not_croatia(browser, live_server):
    officer = testing.make_persona("sl_border")
    supervisor = testing.make_persona("sl_supervisor")
    italian = testing.make_persona("it_duty")
    croatian = testing.make_persona("hr_duty")

    context = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url

    # The officer, in Slovenian, taps the place on the map.
    open_as(page, officer, "sl")
    page.goto(page.base + "/incidents/new/")
    assert page.locator("html").get_attribute("lang") == "sl"
    page.wait_for_function("document.getElementById('incident-map').tromejaMap !== undefined")
    point = page.evaluate(
        "([lat, lon]) => { const m = document.getElementById('incident-map').tromejaMap;"
        " m.setView([lat, lon], 12, {animate: false});"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        list(OBREZJE),
    )
    page.locator("#incident-map").click(position={"x": point[0], "y": point[1]})
    assert abs(float(page.input_value("#id_latitude")) - OBREZJE[0]) < 0.01
    assert abs(float(page.input_value("#id_longitude")) - OBREZJE[1]) < 0.01
    page.select_option("#id_type", "irregular_crossing")
    # Two hours ago, in the officer's time zone: inside the map's 90-day window.
    occurred = timezone.localtime(timezone.now() - timedelta(hours=2), ZoneInfo(officer.time_zone))
    page.fill("#id_occurred_at", occurred.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_aware_at", (occurred + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_detection_method", "surveillance")
    page.select_option("#id_transport", "on_foot")
    page.fill("#id_persons_total", "6")
    page.select_option("#id_impact_level", "medium")
    page.select_option("#id_confidence", "confirmed")
    page.locator("[data-formset=counts] .formset-add").click()
    page.select_option("#id_counts-0-nationality", "AF")
    page.select_option("#id_counts-0-sex", "m")
    page.select_option("#id_counts-0-age_group", "adult")
    page.fill("#id_counts-0-count", "6")
    page.select_option("#id_source_reliability", "A")
    page.select_option("#id_information_accuracy", "1")
    page.locator("form.incident-form button[name=save]").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}/$"))
    report = Incident.objects.get()
    assert report.border == "SI-HR" and report.responsible_unit.code == "si-pu-novo-mesto"
    page.locator("form[action$='/submit/'] button").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == "submitted"

    # The supervisor validates and shares with Italy only.
    open_as(page, supervisor, "sl")
    page.goto(page.base + f"/incidents/{report.pk}/")
    page.check(".validate-panel input[name=distribution][value=named]")
    page.check(".validate-panel input[name=shared_with][value=IT]")
    page.locator(".validate-panel button[type=submit]").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == "validated"
    assert list(report.shared_with.values_list("code", flat=True)) == ["IT"]

    # Italy sees it on the map, in Italian.
    open_as(page, italian, "it")
    page.goto(page.base + "/incidents/map/")
    assert page.locator("html").get_attribute("lang") == "it"
    page.wait_for_selector("#map-status[data-total]")
    assert page.get_attribute("#map-status", "data-total") == "1"
    page.goto(page.base + f"/incidents/{report.pk}/")
    assert report.reference in page.content()

    # Croatia does not.
    open_as(page, croatian, "hr")
    page.goto(page.base + "/incidents/map/")
    page.wait_for_selector("#map-status[data-total]")
    assert page.get_attribute("#map-status", "data-total") == "0"
    response = page.goto(page.base + f"/incidents/{report.pk}/")
    assert response.status == 404
    context.close()


def test_an_officer_imports_a_file_and_watches_it_being_checked(browser, live_server, tmp_path):
    """In Croatian: the size limit is checked before sending; the import runs
    in the background and the page shows the outcome with the rejected row."""
    from tromeja.core.models import Job
    from tromeja.incidents import imports

    officer = testing.make_persona("hr_border")
    context = browser.new_context(viewport={"width": 800, "height": 1280})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    open_as(page, officer, "hr")
    page.goto(page.base + "/incidents/import/")
    assert page.locator("html").get_attribute("lang") == "hr"
    # A file over the limit is stopped in the browser, in Croatian.
    limit = int(page.get_attribute("#id_file", "data-max-bytes"))
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # sparse: nothing is written
        handle.truncate(limit + 1)
    page.set_input_files("#id_file", str(big))
    message = page.evaluate("document.getElementById('id_file').validationMessage")
    assert "MB" in message and message == page.get_attribute("#id_file", "data-too-large")
    assert "too large" not in message
    when = timezone.localtime(timezone.now() - timedelta(hours=5), ZoneInfo(officer.time_zone))
    at = f"{when:%d.%m.%Y. %H:%M}"  # as Croatian Excel writes it
    good = f"smuggler,{at},{at},45.155,15.735,check,car,low,confirmed"
    bad = f"smuggler,{at},{at},45.155,15.735,check,car,huge,confirmed"
    header = (
        "type,occurred_at,aware_at,latitude,longitude,detection_method,transport,"
        "impact_level,confidence"
    )
    data = "\n".join([header, good, bad, good]).encode("cp1250")
    page.set_input_files(
        "#id_file", {"name": "izvjesca.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.check("#id_mode_1")  # valid rows only
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_selector("#job-progress")
    assert "/incidents/jobs/" in page.url
    job = Job.objects.get(requested_by=officer)
    imports.run_import(job.pk)  # what the worker does
    # The page polls and shows the outcome without a reload.
    page.wait_for_selector("#job-progress .alert-warning")
    text = page.inner_text("#job-progress")
    assert "2" in text and "huge" in text and "impact_level" in text
    assert page.locator("#job-progress a[href$='rejected.csv']").count() == 1
    assert Incident.objects.filter(owner_country="HR").count() == 2
    context.close()
