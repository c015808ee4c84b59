"""One range for every date a user enters, on pages as through the API."""

import pytest

from tromeja.auditlog.forms import AuditFilterForm
from tromeja.notices.forms import NoticeForm


def test_the_audit_search_refuses_a_year_like_514(db):
    form = AuditFilterForm(data={"since": "0514-05-01"})
    assert not form.is_valid()
    assert "1900-01-01" in form.errors["since"][0]


@pytest.mark.parametrize(
    ("field", "value"), [("valid_until", "0514-05-01"), ("review_by", "2514-01-01")]
)
def test_a_notice_form_refuses_dates_out_of_range(sl_duty, field, value):
    form = NoticeForm(data={field: value}, user=sl_duty)
    form.is_valid()
    assert "2100-12-31" in form.errors[field][0]


def test_an_incident_form_refuses_an_event_before_1900(sl_duty):
    from tromeja.incidents.forms import IncidentForm

    form = IncidentForm(data={"occurred_at": "1880-01-01T10:00"}, user=sl_duty)
    form.is_valid()
    assert "1900-01-01" in form.errors["occurred_at"][0]
