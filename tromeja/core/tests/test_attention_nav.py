"""Menus that fit the role: every navigation entry a persona gets opens for
them (no 403), analysts reach the contact point's statistics, and the shell
carries the badges' poll."""

import re

import pytest

from tromeja import testing
from tromeja.core import modules
from tromeja.core.roles import Perm
from tromeja.testing import PERSONAS


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def nav_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="collapse') : html.index("</nav>")]
    menu = nav[: nav.index("</ul>")]
    return re.findall(r'class="nav-link[^"]*" href="([^"]+)"', menu)


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_navigation_entry_opens_for_its_persona(persona, name):
    user = persona(name)
    client = testing.client_for(user)
    links = nav_links(client.get("/").content.decode())
    expected = [entry.url_name for _module, entry in modules.navigation_for(user)]
    assert len(links) == len(expected)
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
    if name != "outsider":
        assert links, f"{name} has no navigation at all"


def test_analysts_reach_the_contact_points_statistics(persona):
    analyst = persona("hr_analyst")
    links = nav_links(testing.client_for(analyst).get("/").content.decode())
    assert "/exchange/statistics/" in links
    assert "/exchange/" not in links  # the inbox would answer 403


def test_duty_officers_get_the_inbox_not_a_second_statistics_entry(persona):
    links = nav_links(testing.client_for(persona("sl_duty")).get("/").content.decode())
    assert "/exchange/" in links and "/exchange/statistics/" not in links


def test_roles_without_the_section_get_no_entry(persona):
    for name in ("sl_dpo", "sl_admin", "outsider"):
        links = nav_links(testing.client_for(persona(name)).get("/").content.decode())
        assert not any(link.startswith("/exchange/") for link in links), name


def test_the_badge_sits_on_the_entry_of_the_module_that_counts(persona):
    duty = testing.client_for(persona("it_duty")).get("/").content.decode()
    assert 'data-attention-badge="requests"' in duty
    assert 'data-attention-url="/attention/"' in duty
    analyst = testing.client_for(persona("hr_analyst")).get("/").content.decode()
    assert "data-attention-badge" not in analyst  # the statistics count nothing


def test_the_poll_interval_comes_from_the_settings(persona, settings):
    settings.ATTENTION_POLL_SECONDS = 7
    page = testing.client_for(persona("it_duty")).get("/").content.decode()
    assert 'data-attention-interval="7"' in page


class _User:
    is_authenticated = True
    is_active = True

    def __init__(self, *perms):
        self.perms = set(perms)

    def has_perm_code(self, code):
        return code in self.perms


def test_a_module_offers_its_first_alternative_the_user_may_open():
    module = modules.Module(
        section="requests",
        label="Inbox",
        url_name="exchange:inbox",
        permission=Perm.EXCHANGE_MESSAGES,
        alternatives=(
            modules.Entry("Statistics", "exchange:statistics", Perm.VIEW_SITUATION),
            modules.Entry("Other", "exchange:roster", Perm.VIEW_RECORDS),
        ),
    )
    both = _User(Perm.EXCHANGE_MESSAGES, Perm.VIEW_SITUATION)
    assert module.entry_for(both).url_name == "exchange:inbox"
    assert module.entry_for(_User(Perm.VIEW_SITUATION, Perm.VIEW_RECORDS)).label == "Statistics"
    assert module.entry_for(_User(Perm.VIEW_RECORDS)).url_name == "exchange:roster"
    assert module.entry_for(_User(Perm.READ_AUDIT_LOG)) is None


def test_badges_are_asked_only_of_modules_the_user_may_open(monkeypatch):
    asked = []

    def badge(user):
        asked.append(user)
        return modules.BadgeCounts(count=2, text="2 new")

    fake = modules.Module(
        section="patrols",
        label="Patrols",
        url_name="core:home",
        permission=Perm.PLAN_PATROLS,
        badge=badge,
    )
    monkeypatch.setitem(modules._registry, "patrols", fake)
    assert modules.badges_for(_User(Perm.VIEW_RECORDS)) == {}
    assert asked == []
    planner = _User(Perm.PLAN_PATROLS)
    assert modules.badges_for(planner)["patrols"].count == 2
    assert asked == [planner]


def test_nobody_signed_out_gets_navigation_or_badges():
    class Anonymous:
        is_authenticated = False

    assert modules.navigation_for(Anonymous()) == []
    assert modules.badges_for(Anonymous()) == {}
    assert modules.navigation_for(None) == []
