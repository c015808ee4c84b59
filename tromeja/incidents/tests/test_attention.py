"""The incident reports' home panel: supervisors see the reports of their
country that others submitted, waiting for validation; whoever writes
reports sees their drafts and their reports returned for correction; nobody
sees another country's drafts or submissions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tromeja import testing
from tromeja.core import context
from tromeja.incidents import services
from tromeja.incidents.queries import attention_panel


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def submitted(user):
    report = testing.incident(user)
    with context.acting(context.ActionContext(purpose="test fixture")):
        services.submit_incident(user=user, incident=report)
    return report


def test_a_supervisor_sees_what_others_of_the_country_submitted(persona):
    supervisor, border = persona("sl_supervisor"), persona("sl_border")
    submitted(border)
    submitted(border)
    submitted(supervisor)  # their own: another supervisor validates it
    testing.incident(border)  # a draft: the author's only
    panel = attention_panel(supervisor)
    assert panel["waiting"] == 2
    assert panel["drafts"] == 0
    page = testing.client_for(supervisor).get("/").content.decode()
    assert "2 reports wait for your validation" in page


def test_another_countrys_supervisor_sees_none_of_it(persona):
    border = persona("sl_border")
    submitted(border)
    testing.incident(border)
    for name in ("hr_supervisor", "it_supervisor"):
        assert attention_panel(persona(name)) is None, name


def test_a_border_officer_sees_their_drafts_and_returned_reports(persona):
    border, supervisor = persona("sl_border"), persona("sl_supervisor")
    testing.incident(border)
    returned = submitted(border)
    with context.acting(context.ActionContext(purpose="test fixture")):
        services.return_incident(user=supervisor, incident=returned, comment="Where exactly?")
    panel = attention_panel(border)
    assert (panel["drafts"], panel["returned"]) == (1, 1)
    assert "waiting" not in panel or panel["waiting"] == 0
    page = testing.client_for(border).get("/").content.decode()
    assert "1 draft not yet submitted" in page
    assert "1 of your reports was returned for correction" in page
    assert "?status=returned" in page
    # A colleague's drafts and returned reports are not theirs.
    colleague = testing.make_persona("hr_border")
    assert attention_panel(colleague) is None


def test_a_supervisor_does_not_count_a_returned_report_as_waiting(persona):
    border, supervisor = persona("sl_border"), persona("sl_supervisor")
    report = submitted(border)
    with context.acting(context.ActionContext(purpose="test fixture")):
        services.return_incident(user=supervisor, incident=report, comment="Which road?")
    assert attention_panel(supervisor) is None


def test_the_panel_asks_two_questions_whatever_the_number_of_reports(persona):
    supervisor, border = persona("sl_supervisor"), persona("sl_border")
    submitted(border)
    attention_panel(supervisor)
    with CaptureQueriesContext(connection) as few:
        attention_panel(supervisor)
    for _ in range(4):
        submitted(border)
        testing.incident(supervisor)
    with CaptureQueriesContext(connection) as many:
        panel = attention_panel(supervisor)
    assert len(few) == len(many) == 2
    assert (panel["waiting"], panel["drafts"]) == (5, 4)


def test_roles_without_reports_get_no_panel(persona):
    submitted(persona("sl_border"))
    for name in ("sl_dpo", "sl_admin", "outsider"):
        assert attention_panel(persona(name)) is None, name
