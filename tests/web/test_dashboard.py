"""The dashboard in a real browser against a real server with a replayed match day behind it."""

from __future__ import annotations

import json
from datetime import date

import httpx
from playwright.sync_api import Browser, Page, expect

from opsroom.web import STATIC_DIR
from tests.web.conftest import Console, LiveServer, log_in, open_page


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def test_replay_reached_the_server(server: LiveServer) -> None:
    report = server.replay
    assert report is not None, report
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


def test_venue_view_shows_gates_flow_and_wait_charts(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-operator")
    page.locator("#occupancy tr[data-venue='khalifa'] a").click()
    with server.client("qa-operator") as api:
        detail = api.get("/api/v1/venues/khalifa").json()
        status = api.get("/api/v1/venues/khalifa/status").json()
    expect(page.locator("h1")).to_have_text(detail["name"])
    checkpoints = sum(len(g["checkpoints"]) for g in detail["gates"])
    expect(page.locator("#gates tbody tr")).to_have_count(checkpoints)
    expect(page.locator("#venue-occupancy")).to_contain_text(f"{status['occupancy']:,}")
    expect(page.locator("#inflow svg rect.bar")).to_have_count(len(status["inflow_per_minute"]))
    # One wait chart per gate; the waits so far are filled in from past statuses.
    expect(page.locator("#charts figure")).to_have_count(len(detail["gates"]))
    expect(page.locator("#charts svg path.actual")).to_have_count(len(detail["gates"]))
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


def _first_open_alert(server: LiveServer) -> dict[str, object]:
    with server.client("qa-commander") as api:
        alerts = api.get("/api/v1/screening/alerts", params={"status": "open"}).json()
    assert alerts, "the replay's registration batch raised no screening alert"
    alert: dict[str, object] = alerts[0]
    return alert


def _audit(server: LiveServer) -> list[dict[str, object]]:
    with server.client("qa-commander") as api:
        entries: list[dict[str, object]] = api.get("/api/v1/audit").json()
    return entries


def test_analyst_opens_an_alert_with_a_reason_and_decides(
    server: LiveServer, browser: Browser
) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-analyst")
    expect(page.locator("#nav a[data-view=analyst]")).to_be_visible()
    page.click("#nav a[data-view=analyst]")
    alert = _first_open_alert(server)
    link = page.locator(f"#screening-list tr[data-alert='{alert['id']}'] a")
    expect(link).to_have_text(str(alert["person_name"]))
    link.click()
    # Opening needs a reason; without one nothing is asked of the server.
    page.locator("#reason-form button[type=submit]").click()
    expect(page.locator("#reason-error")).to_have_text(_catalogue("en")["form.required"])
    reason = "Checking the match before the gates open"
    page.fill("#reason-form input[name=reason]", reason)
    page.locator("#reason-form button[type=submit]").click()
    expect(page.locator("#alert-person")).to_contain_text(str(alert["person_name"]))
    expect(page.locator("#explanation")).not_to_be_empty()
    # The read is in the audit log, with who, what and why.
    reads = [
        e
        for e in _audit(server)
        if e["username"] == "qa-analyst" and str(e["object_id"]) == str(alert["id"])
    ]
    assert any(e["reason"] == reason for e in reads), reads
    page.fill("#decision-form textarea[name=reason]", "Different person: birth dates differ")
    page.locator("#decision-form button[data-decision=dismiss]").click()
    expect(page.locator("#decision-result")).to_contain_text("Dismissed")
    with server.client("qa-analyst") as api:
        stored = api.get(f"/api/v1/screening/alerts/{alert['id']}", params={"reason": "test"})
    assert stored.json()["status"] == "dismissed"
    assert console.errors == []


def test_viewer_sees_no_intelligence_and_is_refused(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-viewer")
    expect(page.locator("#nav a[data-view=incidents]")).to_be_visible()
    expect(page.locator("#nav a[data-view=analyst]")).to_be_hidden()
    expect(page.locator(".severity-intel")).to_have_count(0)  # no screening alert in the queue
    alert = _first_open_alert(server)
    page.goto(f"{server.url}/#/analyst/{alert['id']}")
    page.fill("#reason-form input[name=reason]", "curious")
    page.locator("#reason-form button[type=submit]").click()
    expect(page.locator("#refused")).to_have_text(_catalogue("en")["error.forbidden"])
    expect(page.locator("#explanation")).to_have_count(0)
    assert (403, f"/api/v1/screening/alerts/{alert['id']}") in console.refusals
    page.goto(f"{server.url}/#/analyst")
    expect(page.locator("#refused")).to_be_visible()
    assert console.errors == []


def test_analyst_of_an_agency_not_shared_with_sees_no_alert(
    server: LiveServer, browser: Browser
) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "tr-analyst")  # the replay's entries are shared with MA-DGSN only
    page.click("#nav a[data-view=analyst]")
    expect(page.locator("#screening-list")).to_contain_text(_catalogue("en")["analyst.none"])
    alert = _first_open_alert(server)
    page.goto(f"{server.url}/#/analyst/{alert['id']}")
    page.fill("#reason-form input[name=reason]", "routine check")
    page.locator("#reason-form button[type=submit]").click()
    expect(page.locator("#refused")).to_be_visible()
    expect(page.locator("#explanation")).to_have_count(0)
    assert console.errors == []


def test_gate_supervisor_sees_venues_but_no_operations(
    server: LiveServer, browser: Browser
) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-gate")
    expect(page.locator("#occupancy tr[data-venue='khalifa']")).to_be_visible()
    expect(page.locator("#nav a[data-view=incidents]")).to_be_hidden()
    expect(page.locator("#nav a[data-view=analyst]")).to_be_hidden()
    expect(page.locator("#incident-summary")).to_have_count(0)
    page.goto(f"{server.url}/#/venue/khalifa")
    expect(page.locator("#gates tr[data-gate='khalifa-g1']").first).to_be_visible()
    assert [r for r in console.refusals if r[0] == 403] == []  # it asked for nothing it may not
    assert console.errors == []


def test_page_reconnects_after_a_server_restart(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-operator")
    page.goto(server.url + "/#/incidents")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    server.stop()
    expect(page.locator("#live")).not_to_have_attribute("data-state", "live")
    server.start()
    expect(page.locator("#live")).to_have_attribute("data-state", "live", timeout=20_000)
    with server.client("qa-operator") as api:
        created = api.post(
            "/api/v1/incidents",
            json={
                "type": "disorder",
                "priority": 3,
                "description": "Scuffle",
                "venue_id": "lusail",
            },
        ).json()
    expect(page.locator(f"#incident-list li[data-incident='{created['id']}']")).to_contain_text(
        "Disorder"
    )
    assert console.errors == []


def test_a_session_ended_elsewhere_takes_the_page_back_to_sign_in(
    server: LiveServer, browser: Browser
) -> None:
    """The analyst's token is revoked while the page is open; the next screening alert makes the
    server close the stream, and the page asks for a sign-in instead of showing alerts."""
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-analyst")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    token = page.evaluate("sessionStorage.getItem('opsroom.token')")
    revoked = httpx.post(
        f"{server.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 204
    with server.client("qa-commander") as api:
        entry = {"id": "WEB-REVOKED", "name": "Youssef Ahmed El Mansouri", "tlp": "amber"}
        assert api.post("/api/v1/watchlist", json={"entries": [entry]}).is_success
        screened = api.post(
            "/api/v1/screening/runs",
            json={"people": [{"id": "web-p1", "name": "Youssef Ahmed El Mansouri"}]},
        )
        assert screened.json()["alerts"]
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    assert (401, "/api/v1/me") in console.refusals


def test_dates_of_another_year_carry_it(server: LiveServer, browser: Browser) -> None:
    console = Console()
    page = open_page(browser, console)
    log_in(page, server, "qa-commander")
    page.goto(server.url + "/#/incidents")
    # The replayed incidents are dated by the replay's clock (21 Nov 2022), with the year.
    replayed = page.locator("#incident-list li time").filter(has_text="Nov 2022")
    expect(replayed.first).to_be_visible()
    formatted = page.evaluate(
        """async () => {
          const { dateTime } = await import("/static/js/i18n.js");
          const zone = "Asia/Qatar";
          return [dateTime("2022-11-26T11:59:00Z", zone), dateTime(new Date(), zone)];
        }"""
    )
    assert formatted[0] == "26 Nov 2022, 14:59"
    assert str(date.today().year) not in formatted[1]  # this year's dates need none
    assert console.errors == []
