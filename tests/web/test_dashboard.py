"""The dashboard in a real browser against a real server with a replayed match day behind it."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, expect

from opsroom.web import STATIC_DIR
from tests.web.conftest import Console, LiveServer, log_in, open_page


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def test_replay_reached_the_server(server: LiveServer) -> None:
    report = server.replay
    assert report is not None and report.finished, report
    assert report.errors == []
    assert report.accepted == report.scans_sent > 0
    assert report.incidents_reported > 0 and report.people_screened == 60


def test_log_in_and_see_every_venue(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-commander")
    with server.client("qa-commander") as api:
        venues = api.get("/api/v1/venues").json()
        khalifa = api.get("/api/v1/venues/khalifa/status").json()
    expect(page.locator("svg.map g.venue")).to_have_count(len(venues))
    for venue in venues:
        expect(page.locator(f"#occupancy tr[data-venue='{venue['id']}']")).to_contain_text(
            venue["name"]
        )
    # Occupancy from the replayed scans, formatted for the locale.
    expect(page.locator("#occupancy tr[data-venue='khalifa']")).to_contain_text(
        f"{khalifa['occupancy']:,}"
    )
    # The clock follows the data: the replayed day's matches, with countdowns.
    expect(page.locator("#matches li[data-match='M02']")).to_contain_text("ENG")
    expect(page.locator("#matches li[data-match='M02'] .countdown")).to_contain_text("ago")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    assert console.errors == []


def test_wrong_password_is_refused_in_words(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    page.goto(server.url + "/")
    page.fill("input[name=username]", "qa-viewer")
    page.fill("input[name=password]", "not the password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text(_catalogue("en")["auth.refused"])
    assert (401, "/api/v1/auth/token") in console.refusals
    assert console.errors == []


def test_arabic_turns_the_page_right_to_left(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-commander")
    expect(page.locator("#occupancy tr[data-venue='khalifa']")).to_be_visible()
    page.select_option("#lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    arabic = _catalogue("ar")
    expect(page.locator("#nav a[data-view=overview]")).to_have_text(arabic["nav.overview"])
    expect(page.locator(".map-card h2")).to_contain_text(arabic["overview.map"])
    # Qatar writes Arabic-Indic digits.
    capacity = page.evaluate("new Intl.NumberFormat('ar-QA').format(45857)")
    assert capacity == "٤٥٬٨٥٧"
    expect(page.locator("#occupancy tr[data-venue='khalifa']")).to_contain_text(capacity)
    page.select_option("#lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#nav a[data-view=incidents]")).to_have_text(
        _catalogue("fr")["nav.incidents"]
    )
    # The choice is kept for the next visit.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert console.errors == []


def _report(page: Page, description: str) -> None:
    form = page.locator("#incident-form")
    form.locator("select[name=type]").select_option("medical")
    form.locator("select[name=priority]").select_option("2")
    form.locator("select[name=venue_id]").select_option("khalifa")
    expect(form.locator("select[name=gate_id] option[value='khalifa-g2']")).to_be_attached()
    form.locator("select[name=gate_id]").select_option("khalifa-g2")
    form.locator("textarea[name=description]").fill(description)
    form.locator("button[type=submit]").click()


def test_reported_incident_appears_live_and_moves_on(server: LiveServer, browser: Browser) -> None:
    watcher_console, operator_console = Console(), Console()
    watcher = open_page(browser, watcher_console)
    log_in(watcher, server, "qa-viewer")
    watcher.goto(server.url + "/#/incidents")
    expect(watcher.locator("#live")).to_have_attribute("data-state", "live")
    expect(watcher.locator("#incident-form")).to_have_count(0)  # a viewer may not report

    operator = open_page(browser, operator_console)
    log_in(operator, server, "qa-operator")
    operator.goto(server.url + "/#/incidents")
    # Validation before anything is sent.
    operator.locator("#incident-form button[type=submit]").click()
    required = _catalogue("en")["form.required"]
    expect(operator.locator("[data-error-for=type]")).to_have_text(required)
    expect(operator.locator("[data-error-for=venue_id]")).to_have_text(required)
    expect(operator.locator("[data-error-for=description]")).not_to_be_empty()

    _report(operator, "Fan fainted in the queue at gate 2")
    expect(operator.locator("#incident-status")).to_have_text("Reported")
    incident_id = operator.url.rsplit("/", 1)[-1]
    # The other screen shows it without reloading.
    row = watcher.locator(f"#incident-list li[data-incident='{incident_id}']")
    expect(row).to_contain_text("Medical")
    expect(row).to_contain_text("Reported")

    operator.locator("button[data-action=dispatch]").click()
    expect(operator.locator("#dispatch-result")).to_contain_text("dispatched")
    expect(operator.locator("#incident-status")).to_have_text("Dispatched")
    expect(row).to_contain_text("Dispatched")
    operator.locator("button[data-action=on_scene]").click()
    expect(operator.locator("#incident-status")).to_have_text("On scene")
    expect(operator.locator(".timeline li").last).to_contain_text("On scene")
    assert operator.locator(".timeline li").count() >= 3  # reported, dispatched, on scene
    with server.client("qa-operator") as api:
        stored = api.get(f"/api/v1/incidents/{incident_id}").json()
    assert stored["status"] == "on_scene" and stored["gate_id"] == "khalifa-g2"
    assert stored["unit_id"] is not None
    assert watcher_console.errors == [] and operator_console.errors == []
