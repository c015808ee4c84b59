"""Acceptance: every page is accessible (WCAG 2.2 AA), in the four languages,
on a tablet.

axe-core checks each page the product has, as the persona who can see it, in
en, sl, it and hr at 1024×768; no serious or critical violation may remain.
Target sizes (WCAG 2.2 2.5.8, and 44 px for primary actions on a touch
screen) and the error summary after a failed submit are measured in the
browser too.
"""

import os
import time

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from tromeja import testing
from tromeja.accounts.models import User
from tromeja.tests_browser import axe
from tromeja.tests_browser import test_no_english as english

# The same pages and data as the test that looks for English left untranslated.
world = english.world
walked_pages = english.pages
session_cookie = english.session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "sl", "it", "hr"]
TABLET = {"width": 1024, "height": 768}
# Pages the walker makes itself: answers a browser cannot ask for with a GET.
RENDERED = "/__rendered__/"


# The browser's own locale, as an officer's tablet in each country would have it.
LOCALES = {"en": "en-GB", "sl": "sl-SI", "it": "it-IT", "hr": "hr-HR"}


@pytest.fixture
def a11y_page(browser, live_server, request):
    """A tablet-sized page whose context lets axe-core's script in (the
    site's Content-Security-Policy allows no foreign script)."""
    callspec = getattr(request.node, "callspec", None)
    language = callspec.params.get("language", "en") if callspec else "en"
    context = browser.new_context(viewport=TABLET, bypass_csp=True, locale=LOCALES[language])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


def open_page(page, url, language, cookie=None):
    context = page.context
    context.clear_cookies()
    cookies = [{"name": "tromeja_language", "value": language, "url": page.base}]
    if cookie:
        cookies.append({"name": "sessionid", "value": cookie, "url": page.base})
    context.add_cookies(cookies)
    response = page.goto(page.base + url)
    page.wait_for_load_state("load")
    return response


def _request(user, cookie, language):
    """A request as the signed-in user's browser would make it."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=language)
    request.user = user or AnonymousUser()
    request.session = SessionStore(session_key=cookie) if cookie else SessionStore()
    request._messages = FallbackStorage(request)
    request.LANGUAGE_CODE = language
    return request


def rendered_pages(world, cookies, language):
    """Error pages no GET reaches: the answer the node gives, rendered as
    the node renders it, served to the browser at a path of their own."""
    from tromeja.core import busy
    from tromeja.core import views as core_views

    duty, cookie = world["sl_duty"], cookies["sl_duty"]
    out = {}
    # 409: a second validation of a report validated a moment ago.
    report = world["conflict_report"]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["sessionid"] = cookies["supervisor"]
    client.cookies["tromeja_language"] = language
    answer = client.post(f"/incidents/{report.pk}/validate/")
    assert answer.status_code == 409, answer.status_code
    out["409"] = answer.content
    # The CSRF failure page: a form sent without its token.
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["sessionid"] = cookie
    client.cookies["tromeja_language"] = language
    answer = client.post("/notices/new/", {"title": "x"})
    assert answer.status_code == 403, answer.status_code
    out["csrf"] = answer.content
    with translation.override(language):
        request = _request(duty, cookie, language)
        out["400"] = core_views.bad_request(request).content
        out["500"] = core_views.server_error(request).content
        out["503"] = busy.busy_response(request).content
        from django.shortcuts import render

        out["413"] = render(
            request, "413.html", {"message": "…", "back": "/incidents/import/"}, status=413
        ).content
    return out


def walk(world):
    """(persona, url) for every page: the pages the no-English test walks,
    the health page, and the error pages."""
    return [
        *walked_pages(world),
        ("enrolling", "/accounts/second-factor/"),  # setting up the second factor
        ("sl_duty", "/search/?q=Obre%C5%BEje"),
        ("admin", "/health/"),
        ("sl_duty", "/exchange/overdue/"),  # 403 for an officer without the role
        ("sl_duty", RENDERED + "409"),
        ("sl_duty", RENDERED + "csrf"),
        ("sl_duty", RENDERED + "400"),
        ("sl_duty", RENDERED + "413"),
        ("sl_duty", RENDERED + "500"),
        ("sl_duty", RENDERED + "503"),
    ]


# Pages to keep a picture of, to look at (TROMEJA_A11Y_SCREENSHOTS=<directory>).
SCREENSHOTS = os.environ.get("TROMEJA_A11Y_SCREENSHOTS")
PICTURED = {"/", "/notices/new/", "/incidents/new/", "/exchange/", "/incidents/map/"}


def picture(page, url, language, suffix=""):
    if SCREENSHOTS:
        name = url.strip("/").replace("/", "-") or "home"
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{language}-{name}{suffix}.png"))


# Forms sent with mistakes: the page as it comes back, with its errors.
FAILED_SUBMITS = [
    (None, "/accounts/sign-in/", {"#id_username": "sl_duty", "#id_password": "wrong"}),
    ("sl_duty", "/notices/new/", {"#id_title": "", "#id_body": ""}),
    ("sl_duty", "/incidents/new/", {}),
    ("sl_duty", "/exchange/new/", {}),
]


def submit_with_mistakes(page, values):
    for selector, value in values.items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")


@pytest.fixture
def conflict_report(world):
    supervisor = world["supervisor"]
    world["conflict_report"] = testing.incident(world["sl_duty"], validate_by=supervisor)
    return world


PERSONAS = ("sl_duty", "dpo", "admin", "supervisor", "pending", "enrolling")


def cookies_for(world):
    if "enrolling" not in world:  # an officer without a second factor yet
        world["enrolling"] = testing.make_persona("hr_border", with_device=False)
    cookies = {}
    for who in PERSONAS:
        cookies[who] = session_cookie(world[who], verified=who not in ("pending", "enrolling"))
    return cookies


def serve_rendered(page, bodies):
    def fulfil(route):
        name = route.request.url.rsplit("/", 1)[-1]
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=bodies[name])

    page.context.unroute("**" + RENDERED + "*")
    page.context.route("**" + RENDERED + "*", fulfil)


def set_language(world, language):
    users = [world[w] for w in PERSONAS if w in world]
    User.objects.filter(pk__in=[u.pk for u in users]).update(language=language)
    for user in users:
        user.language = language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_serious_accessibility_violation(
    a11y_page, world, conflict_report, language
):
    page = a11y_page
    cookies = cookies_for(world)
    set_language(world, language)
    serve_rendered(page, rendered_pages(world, cookies, language))
    report, started, loads = [], time.monotonic(), 0
    for who, url in walk(world):
        open_page(page, url, language, cookies.get(who))
        loads += 1
        lang = page.locator("html").get_attribute("lang")
        if lang != language:
            report.append(f"[serious] html lang is {lang!r}, not {language!r} — {url}")
        if url in PICTURED:
            picture(page, url, language)
        found = axe.violations(page)
        if found:
            report.append(axe.describe(found, url=url, language=language, who=who))
    for who, url, values in FAILED_SUBMITS:
        open_page(page, url, language, cookies.get(who))
        submit_with_mistakes(page, values)
        loads += 1
        picture(page, url, language, "-mistakes")
        shown = page.locator("[data-error-summary], .invalid-feedback, .alert-danger").count()
        if not shown:
            report.append(f"[serious] no error shown after a failed submit — {url} ({language})")
        found = axe.violations(page)
        if found:
            report.append(
                axe.describe(found, url=url + " (sent with mistakes)", language=language, who=who)
            )
    elapsed = time.monotonic() - started
    print(f"{loads} pages checked in {language} in {elapsed:.1f} s")
    assert not report, f"Serious or critical accessibility violations in {language}:\n" + "\n".join(
        report
    )


def test_axe_runs_in_the_page_and_finds_a_violation(a11y_page, world):
    """The checker itself works: it loads despite the CSP and reports a
    control without a name."""
    page = a11y_page
    open_page(page, "/accounts/sign-in/", "en")
    assert axe.inject(page).startswith("4.")
    assert axe.violations(page) == []
    page.evaluate("""() => { const b = document.createElement("button");
        document.querySelector("main").appendChild(b); }""")
    found = axe.violations(page)
    assert [v["id"] for v in found] == ["button-name"], found
    assert "button-name" in axe.describe(found, url="/accounts/sign-in/", language="en")


# --- Target sizes -----------------------------------------------------------

MEASURE_TARGETS = """() => {
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"
      && !el.closest("[hidden], .visually-hidden, template");
  };
  const name = el => (el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string"
       ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + " «" + (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "")
        .trim().slice(0, 30) + "»");
  const small = [], primary = [];
  document.querySelectorAll(
    "button, [role=button], input[type=checkbox], input[type=radio], .btn, select, "
    + ".page-link, .leaflet-control a"
  ).forEach(el => {
    if (!visible(el)) return;
    const r = el.getBoundingClientRect();
    if (r.width < 23.99 || r.height < 23.99)
      small.push(`${name(el)} ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
  });
  document.querySelectorAll(".btn-primary, .navbar-toggler").forEach(el => {
    if (!visible(el)) return;
    const r = el.getBoundingClientRect();
    if (r.height < 43.99) primary.push(`${name(el)} ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
  });
  return {small, primary};
}"""


@pytest.fixture
def touch_page(browser, live_server):
    """A tablet with a touch screen."""
    context = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.mark.parametrize(
    "viewport", [TABLET, {"width": 768, "height": 1024}], ids=["landscape", "portrait"]
)
def test_targets_are_24_px_and_primary_actions_44_px_on_a_tablet(
    touch_page, world, conflict_report, viewport
):
    page = touch_page
    page.set_viewport_size(viewport)
    cookies = cookies_for(world)
    language = "hr"  # the longest words of the four
    set_language(world, language)
    serve_rendered(page, rendered_pages(world, cookies, language))
    coarse = page.evaluate("() => matchMedia('(pointer: coarse)').matches")
    # Chromium headless may report a fine pointer even with touch: the 44 px
    # rule then holds by the width (a tablet is at most 1024 px wide).
    assert coarse or viewport["width"] <= 1024
    too_small, primary_too_low = {}, {}
    for who, url in walk(world):
        open_page(page, url, language, cookies.get(who))
        if url in PICTURED:
            picture(page, url, f"{language}-{viewport['width']}x{viewport['height']}")
        found = page.evaluate(MEASURE_TARGETS)
        if found["small"]:
            too_small[url] = found["small"]
        if found["primary"]:
            primary_too_low[url] = found["primary"]
    assert not too_small, f"Targets under 24×24 px (coarse pointer: {coarse}): {too_small}"
    assert not primary_too_low, f"Primary actions under 44 px high: {primary_too_low}"


# --- Error summary ----------------------------------------------------------

SUMMARY_STATE = """() => {
  const summary = document.querySelector("[data-error-summary]");
  const links = summary ? [...summary.querySelectorAll("a[href^='#']")] : [];
  const invalid = [...document.querySelectorAll("[aria-invalid=true]")];
  return {
    focused: document.activeElement === summary && summary !== null,
    heading: summary ? summary.querySelector("h2").innerText : null,
    text: summary ? summary.innerText : null,
    links: links.map(a => a.getAttribute("href").slice(1)),
    linked: links.map(a => !!document.getElementById(a.getAttribute("href").slice(1))),
    invalid: invalid.map(el => ({
      id: el.id,
      described: (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
        .map(id => (document.getElementById(id) || {innerText: null}).innerText),
    })),
  };
}"""


def test_a_failed_submit_focuses_the_error_summary_which_links_to_the_fields(a11y_page, world):
    page = a11y_page
    cookie = session_cookie(world["sl_duty"])
    open_page(page, "/notices/new/", "en", cookie)
    assert page.evaluate("() => document.querySelector('[data-error-summary]')") is None
    page.fill("#id_title", "")
    page.fill("#id_body", "")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    state = page.evaluate(SUMMARY_STATE)
    assert state["focused"], state
    assert state["heading"] == "There is a problem"
    # One link per field in error, in the form's order, each to the field itself.
    assert f"The form has {len(state['links'])} errors." in state["text"], state["text"]
    assert state["links"][:2] == ["id_title", "id_body"], state
    assert all(state["linked"]), state
    assert {"id_title", "id_body"} <= {f["id"] for f in state["invalid"]}, state
    assert "id_kind" not in state["links"]  # a field with a value has no error
    for field in state["invalid"]:
        assert any(text and "required" in text for text in field["described"]), field
    # The link takes the keyboard to the field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "id_title"
    assert axe.violations(page) == []
    # Nothing was saved.
    from tromeja.notices.models import Notice

    assert Notice.objects.filter(title="").count() == 0


def test_the_purpose_form_sent_empty_focuses_its_summary_in_slovenian(a11y_page, world):
    page = a11y_page
    user = world["sl_duty"]
    User.objects.filter(pk=user.pk).update(language="sl")
    client = Client()
    testing.sign_in(client, user, purpose=None)
    open_page(page, "/accounts/purpose/", "sl", client.cookies["sessionid"].value)
    for field in page.locator("main form input[type=text], main form textarea").all():
        field.fill("")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    state = page.evaluate(SUMMARY_STATE)
    assert state["focused"], state
    assert state["links"] and all(state["linked"]), state
    assert set(state["links"]) <= {f["id"] for f in state["invalid"]}, state
    assert page.locator("html").get_attribute("lang") == "sl"
    assert axe.violations(page) == [], axe.describe(
        axe.violations(page), url="/accounts/purpose/", language="sl"
    )


# --- Keyboard ---------------------------------------------------------------

FOCUS_STATE = """() => {
  const el = document.activeElement;
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = node => {
    for (let n = node.parentElement; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  const s = getComputedStyle(el), r = el.getBoundingClientRect();
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  let ratio = 0;
  if (outline) {
    const a = lum(rgb(s.outlineColor)), b = lum(background(el));
    ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  // The calendar button inside a date field: the browser draws its own ring
  // round it (the field itself no longer matches :focus).
  const picker = ["date", "time", "datetime-local", "month", "week"].includes(el.type)
    && !el.matches(":focus");
  return {tag: el.tagName, id: el.id, picker, stop: el.dataset.a11yStop || null,
          radio: el.type === "radio" ? el.name : null,
          text: (el.innerText || el.value || "").trim().slice(0, 30), cls: String(el.className),
          outline, ratio, width: r.width, height: r.height};
}"""


# Every visible control the keyboard should reach, numbered (radio buttons:
# the Tab key reaches one of each group, the arrows the others).
MARK_CONTROLS = """() => {
  const out = [];
  document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
  ).forEach((el, n) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    const folded = el.closest("details:not([open])");
    if (folded && !el.closest("summary") && el.tagName !== "SUMMARY") return;
    if (el.disabled || el.tabIndex < 0 || s.visibility === "hidden"
        || el.closest("[hidden], template, [inert]")) return;
    if ((r.width === 0 || r.height === 0) && !el.classList.contains("visually-hidden-focusable"))
      return;
    el.dataset.a11yStop = String(n);
    out.push({stop: String(n), tag: el.tagName, id: el.id,
              radio: el.type === "radio" ? el.name : null,
              text: (el.innerText || el.value || el.getAttribute("aria-label") || "")
                .trim().slice(0, 30)});
  });
  return out;
}"""


@pytest.mark.parametrize(
    "url",
    [
        "/notices/new/",
        "/incidents/",
        "/incidents/new/",
        "/exchange/",
        "/exchange/new/",
        "/incidents/map/",
    ],
)
def test_every_control_is_reached_by_tab_and_visibly_focused(a11y_page, world, url):
    page = a11y_page
    open_page(page, url, "en", session_cookie(world["sl_duty"]))
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STATE)
    assert first["cls"].find("skip-link") >= 0 and first["width"] > 0, first
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.evaluate("() => location.hash") == "#main"
    # From the top of the page, every stop of the Tab key is visibly focused,
    # and every control on the page is one of the stops.
    open_page(page, url, "en", session_cookie(world["sl_duty"]))
    controls = page.evaluate(MARK_CONTROLS)
    seen, faint, reached = [], [], set()
    for _ in range(len(controls) * 4 + 20):  # a date field takes several stops
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state["tag"] == "BODY":
            break
        seen.append(state)
        reached.add(state["stop"])
        if (not state["outline"] or state["ratio"] < 3) and not state["picker"]:
            faint.append(state)
    assert len(seen) >= 5, seen
    assert not faint, f"Focus not visible (3:1) on {url}: {faint}"
    unreached = [c for c in controls if c["stop"] not in reached and not c["radio"]]
    assert not unreached, f"Not reached by the Tab key on {url}: {unreached}"
    radios = {c["radio"] for c in controls if c["radio"]}
    assert radios <= {s["radio"] for s in seen}, (radios, url)


def test_the_user_menu_opens_and_closes_with_the_keyboard(a11y_page, world):
    page = a11y_page
    open_page(page, "/", "en", session_cookie(world["sl_duty"]))
    toggle = page.locator("header .dropdown-toggle").first
    toggle.focus()
    page.keyboard.press("Enter")
    menu = page.locator("header .dropdown-menu.show")
    menu.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    assert "dropdown-item" in page.evaluate("() => document.activeElement.className")
    assert axe.violations(page) == []
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.classList.contains('dropdown-toggle')")


def test_the_busy_pages_try_again_link_works_under_the_content_security_policy(
    browser, live_server
):
    """The 503 page's "Try again" loads the address again; a javascript: link
    would be refused by the Content-Security-Policy the node sends."""
    from tromeja.core import busy

    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    policy = Client().get("/accounts/sign-in/")["Content-Security-Policy"]
    body = busy.busy_response(RequestFactory().get("/")).content
    loads = []

    def answer(route):
        loads.append(route.request.url)
        route.fulfill(
            status=503,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": policy},
            body=body,
        )

    context.route("**/busy-page/", answer)
    page.goto(live_server.url + "/busy-page/")
    with page.expect_navigation(timeout=5000):
        page.get_by_role("link").click()
    assert len(loads) == 2 and loads[1].endswith("/busy-page/"), loads
    context.close()
