"""Every view on a phone, in each language: no sideways scroll, the header wraps, nothing cut off;
and the incidents map keeps its fit on the venues when an incident lies far outside the area."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from opsroom.store.ops_models import IncidentRow
from tests.web.conftest import Console, LiveServer, log_in

PHONES = [(360, 740), (430, 932)]
LANGS = ["en", "fr", "ar"]
VIEWS = {
    "overview": "#occupancy tr[data-venue]",
    "incidents": "#incident-list li[data-incident]",
    "analyst": "#screening-list tr[data-alert]",
    "venue/khalifa": "#gates table",
}
"""Each view (hash) and what shows that it has drawn; the details of an incident and of an alert
are added with the ids of the day."""
PARIS = (48.8566, 2.3522)


def _insert_far_incident(server: LiveServer) -> int:
    """An incident at Paris written past the API (which refuses it), as an old database holds."""
    now = datetime.now(UTC)
    with server.database.transaction() as session:
        row = IncidentRow(
            scenario_id="qatar2022",
            type="suspicious_item",
            priority=2,
            description="far away",
            venue_id=None,
            gate_id=None,
            lat=PARIS[0],
            lon=PARIS[1],
            required_capability=None,
            status="reported",
            unit_id=None,
            reported_by="qa-commander",
            agency_id="QA-MOI",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return int(row.id)


def _layout(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """() => {
          const box = (el) => { const r = el.getBoundingClientRect();
            return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            innerHeight: window.innerHeight,
            logout: box(document.getElementById("logout")),
            nav: [...document.querySelectorAll("#nav a:not([hidden])")].map(box),
          };
        }"""
    )
    return result


def _inside(box: dict[str, float], width: float, height: float) -> bool:
    return 0 <= box["left"] <= box["right"] <= width and 0 <= box["top"] <= box["bottom"] <= height


def _assert_framed_on_the_venues(page: Page, far: int, where: str) -> None:
    expect(page.locator(f"#incident-list li[data-incident='{far}']")).to_be_visible()
    fit = _map_fit(page)
    # The venues, not Paris, set the frame: they are all on the map and spread over it.
    assert fit["xs"] and all(0 <= x <= fit["width"] for x in fit["xs"]), (where, fit)
    assert all(0 <= y <= fit["height"] for y in fit["ys"]), (where, fit)
    spread = max(
        (max(fit["xs"]) - min(fit["xs"])) / fit["width"],
        (max(fit["ys"]) - min(fit["ys"])) / fit["height"],
    )
    assert spread > 0.25, (where, fit)


def _map_fit(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        """() => {
          const svg = document.querySelector("#view svg.map");
          const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
          const xs = [], ys = [];
          for (const c of svg.querySelectorAll("g.venue circle")) {
            xs.push(Number(c.getAttribute("cx"))); ys.push(Number(c.getAttribute("cy")));
          }
          return { width, height, xs, ys };
        }"""
    )
    return result


@pytest.mark.parametrize(("width", "height"), PHONES, ids=[f"{w}x{h}" for w, h in PHONES])
def test_every_view_fits_a_phone(
    server: LiveServer, browser: Browser, width: int, height: int
) -> None:
    far = _insert_far_incident(server)
    with server.client("qa-commander") as api:
        alert = api.get("/api/v1/screening/alerts").json()[0]["id"]
    views = VIEWS | {f"incidents/{far}": "#incident-status", f"analyst/{alert}": "#reason-form"}
    console = Console()
    context = browser.new_context(
        locale="en-GB",
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        service_workers="block",
    )
    page = context.new_page()
    page.on("console", console.record)
    page.on("pageerror", lambda error: console.errors.append(str(error)))
    page.set_default_timeout(10_000)
    try:
        log_in(page, server, "qa-commander")
        for lang in LANGS:
            page.select_option("#lang", lang)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            for view, ready in views.items():
                page.evaluate("(hash) => { location.hash = hash; }", f"#/{view}")
                expect(page.locator(ready).first).to_be_visible()
                layout = _layout(page)
                where = f"{view} in {lang} at {width}x{height}"
                # A phone widens its layout viewport to the content: compare with the screen too.
                assert layout["scrollWidth"] <= layout["innerWidth"] == width, (where, layout)
                assert _inside(layout["logout"], width, height), (where, layout)
                assert layout["nav"] and all(_inside(a, width, height) for a in layout["nav"]), (
                    where,
                    layout,
                )
                if view == "incidents":
                    _assert_framed_on_the_venues(page, far, where)
        assert console.errors == []
    finally:
        context.close()
        with server.database.transaction() as session:
            row = session.get(IncidentRow, far)
            if row is not None:
                session.delete(row)
