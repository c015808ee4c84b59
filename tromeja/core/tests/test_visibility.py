"""The one visibility rule: RecordQuerySet.restrict(user, action)."""

import pytest

from tromeja import testing
from tromeja.core.models import Country
from tromeja.core.records import Action
from tromeja.notices.models import Notice


def visible(user, action=Action.VIEW):
    return set(Notice.objects.restrict(user, action).values_list("title", flat=True))


@pytest.fixture
def records(sl_duty):
    return {
        "national": testing.notice(sl_duty, title="national"),
        "to_it": testing.notice(sl_duty, title="to_it", distribution="named", shared_with=["IT"]),
        "to_all": testing.notice(sl_duty, title="to_all", distribution="partners"),
    }


def test_owner_country_sees_all_its_records(records, sl_duty, persona):
    assert visible(sl_duty) == {"national", "to_it", "to_all"}
    # Any operational role of the same country, not only the author.
    assert visible(persona("sl_border")) == {"national", "to_it", "to_all"}


def test_it_shows_named_records_only_to_the_named_country(records, it_duty, hr_analyst):
    assert visible(it_duty) == {"to_it", "to_all"}
    assert visible(hr_analyst) == {"to_all"}


def test_it_hides_everything_from_users_without_roles(records, outsider):
    assert visible(outsider) == set()


def test_it_hides_records_from_roles_without_record_access(records, persona):
    assert visible(persona("sl_dpo")) == set()
    assert visible(persona("sl_admin")) == set()


def test_it_hides_everything_from_anonymous_and_inactive_users(records, sl_duty):
    from django.contrib.auth.models import AnonymousUser

    assert Notice.objects.restrict(AnonymousUser()).count() == 0
    sl_duty.is_active = False
    assert visible(sl_duty) == set()


def test_only_the_owner_country_may_change_share_or_delete(records, sl_duty, it_duty):
    for action in (Action.CHANGE, Action.SHARE, Action.DELETE):
        assert visible(it_duty, action) == set()
    assert visible(sl_duty, Action.CHANGE) == {"national", "to_it", "to_all"}


def test_export_needs_the_export_permission(records, persona, it_duty):
    assert visible(persona("sl_border"), Action.EXPORT) == set()
    assert visible(it_duty, Action.EXPORT) == {"to_it", "to_all"}


def test_an_associated_partner_gets_named_records_but_not_all_partner_records(
    records, sl_duty, hr_analyst
):
    # Turning Croatia into a narrower, associated partner is configuration.
    Country.objects.filter(code="HR").update(partnership="associated")
    analyst = type(hr_analyst).objects.get(pk=hr_analyst.pk)
    assert visible(analyst) == set()
    testing.notice(sl_duty, title="to_hr", distribution="named", shared_with=["HR"])
    assert visible(analyst) == {"to_hr"}


def test_get_visible_answers_404_for_a_record_not_shared(records, hr_analyst):
    from django.http import Http404

    with pytest.raises(Http404):
        Notice.objects.get_visible(hr_analyst, records["to_it"].pk)
    with pytest.raises(Http404):
        Notice.objects.get_visible(hr_analyst, "not-a-uuid")


def test_unknown_actions_are_refused(records, sl_duty):
    with pytest.raises(ValueError):
        Notice.objects.restrict(sl_duty, "peek")
