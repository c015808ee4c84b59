"""The user menu offers only what the user's roles open; the API
documentation leads back to the node."""

import re

import pytest
from django.test import Client

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.core.roles import Perm

MENU = re.compile(r'<ul class="dropdown-menu dropdown-menu-end">(.*?)</ul>', re.S)


def menu_links(client) -> list[str]:
    page = client.get("/accounts/preferences/")
    assert page.status_code == 200
    menu = MENU.search(page.content.decode())
    assert menu, "no user menu"
    return re.findall(r'<a class="dropdown-item" href="([^"]+)"', menu[1])


@pytest.mark.parametrize("name", sorted(testing.PERSONAS))
def test_every_user_menu_link_opens_for_every_persona(persona, name):
    user = persona(name)
    client = testing.client_for(user)
    links = menu_links(client)
    assert "/accounts/preferences/" in links
    for link in links:
        assert client.get(link).status_code == 200, link
    # API tokens are offered exactly to those who may hold them.
    assert ("/accounts/tokens/" in links) == user.has_perm_code(Perm.USE_API)


@pytest.mark.parametrize("name", ["sl_dpo", "sl_admin"])
def test_the_dpo_and_the_node_administrator_are_not_offered_api_tokens(persona, name):
    client = testing.client_for(persona(name))
    assert client.get("/accounts/tokens/").status_code == 403
    links = menu_links(client)
    assert "/accounts/tokens/" not in links and "/api/v1/docs" not in links


def test_the_api_documentation_links_back_to_the_node_in_the_users_language(persona):
    user = persona("sl_duty")
    User.objects.filter(pk=user.pk).update(language="sl")
    client = testing.client_for(User.objects.get(pk=user.pk))
    # A browser always sends Accept-Language; the page follows the user's choice.
    page = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<html lang="sl">' in text
    back = re.search(r'<a href="([^"]+)" class="docs-back">← ([^<]+)</a>', text)
    assert back and back[1] == "/"
    from django.utils import translation

    with translation.override("sl"):
        assert back[2] == translation.gettext("Back to Tromeja")
    # API calls still follow Accept-Language.
    me = client.get("/api/v1/nonexistent", HTTP_ACCEPT_LANGUAGE="it")
    assert me.status_code == 404


def test_the_api_documentation_is_in_english_for_an_english_user(persona):
    page = testing.client_for(persona("it_duty")).get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="sl")
    assert '<html lang="en">' in page.content.decode()
    assert "Back to Tromeja" in page.content.decode()


def test_anonymous_visitors_have_no_user_menu():
    page = Client().get("/accounts/sign-in/")
    assert page.status_code == 200
    assert not MENU.search(page.content.decode())
