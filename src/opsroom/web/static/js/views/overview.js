// Overview: the map with every venue coloured by its worst alert, today's matches with their
// kick-off countdowns, occupancy against capacity, open incidents by priority, the alert queue.

import { api } from "../api.js";
import { now } from "../clock.js";
import { clear, h } from "../dom.js";
import { countdown, dateLong, isoDate, number, percent, t, time, tv } from "../i18n.js";
import * as live from "../live.js";
import { drawMap } from "../map.js";
import { can, homeZone, loadDetail, loadStatus, rememberStatus, state, venueZone } from "../state.js";
import { crowdAlerts, PRIORITIES, throttle } from "../util.js";

let allMatches = null;

async function matches() {
  if (!allMatches) allMatches = await api.get("/api/v1/matches");
  return allMatches;
}

/** The day to show: the clock's date if it has matches, else the nearest match day. */
function pickDay(list, wanted) {
  const days = [...new Set(list.map((m) => isoDate(m.kickoff, venueZone(m.venue_id))))].sort();
  if (!days.length || days.includes(wanted)) return wanted;
  return days.find((d) => d >= wanted) || days[days.length - 1];
}

function teamName(id) {
  return id || t("match.tbd");
}

export async function render(root, { query }) {
  const mapBox = h("div", { class: "map-box" });
  let fit = sessionStorage.getItem("opsroom.mapfit") || "points";
  const fitButton = h("button", { type: "button", class: "secondary small", id: "map-fit" });
  const matchesBox = h("div", { id: "matches" });
  const occupancyBox = h("div", { id: "occupancy" });
  const incidentsBox = h("div", { id: "incident-summary" });
  const alertsBox = h("div", { id: "alert-queue" });
  const dayTitle = h("h2", {});
  root.append(
    h("div", { class: "grid overview" },
      h("section", { class: "card map-card" }, h("h2", {}, t("overview.map"), " ", fitButton), mapBox, legend()),
      h("section", { class: "card" }, dayTitle, matchesBox),
      h("section", { class: "card" }, h("h2", {}, t("overview.occupancy")), occupancyBox),
      can("read_operations") && h("section", { class: "card" }, h("h2", {}, t("overview.incidents")), incidentsBox),
      h("section", { class: "card" }, h("h2", {}, t("overview.alerts")), alertsBox)));

  let openIncidents = [];
  let screening = [];

  function drawVenues() {
    const points = state.venues.map((v) => {
      const status = state.status.get(v.id);
      const level = status ? status.alert_level : "none";
      return {
        kind: "venue", id: v.id, lon: v.lon, lat: v.lat, level, label: v.name,
        size: 0.7 + 0.6 * (v.capacity / 90000),
        tooltip: `${v.name} — ${t(`level.${level}`)}`,
        onclick: () => { location.hash = `#/venue/${encodeURIComponent(v.id)}`; },
      };
    });
    clear(mapBox).append(drawMap({ points, fit, padShare: 0.45, title: t("overview.map") }));
    fitButton.textContent = t(fit === "points" ? "map.country" : "map.venues");
  }
  fitButton.addEventListener("click", () => {
    fit = fit === "points" ? "country" : "points";
    sessionStorage.setItem("opsroom.mapfit", fit);
    drawVenues();
  });

  function drawOccupancy() {
    const rows = state.venues.map((v) => {
      const status = state.status.get(v.id);
      const occupancy = status ? status.occupancy : 0;
      const share = Math.min(1, occupancy / v.capacity);
      return h("tr", { "data-venue": v.id },
        h("th", {}, h("a", { href: `#/venue/${encodeURIComponent(v.id)}` }, v.name)),
        h("td", { class: "num" }, t("unit.persons_of", { n: occupancy, capacity: v.capacity })),
        h("td", { class: "bar-cell" }, h("div", { class: "meter" }, h("span", { style: { inlineSize: `${(share * 100).toFixed(1)}%` } }))),
        h("td", { class: "num" }, percent(share)));
    });
    clear(occupancyBox).append(h("table", { class: "table" }, h("tbody", {}, rows)));
  }

  let dayShown = null;
  async function drawMatches() {
    const list = await matches();
    const zone = homeZone();
    const day = query.get("date") || pickDay(list, isoDate(now(), zone));
    dayShown = day;
    dayTitle.textContent = t("overview.matches", { date: dateLong(`${day}T12:00:00Z`, zone) });
    const today = list.filter((m) => isoDate(m.kickoff, venueZone(m.venue_id)) === day);
    if (!today.length) {
      clear(matchesBox).append(h("p", { class: "muted" }, t("overview.no_matches")));
      return;
    }
    clear(matchesBox).append(h("ul", { class: "matches" }, today.map((m) => {
      const venue = state.venueById.get(m.venue_id);
      return h("li", { "data-match": m.id },
        h("span", { class: "kickoff" }, time(m.kickoff, venueZone(m.venue_id))),
        h("span", { class: "teams" }, `${teamName(m.home)} – ${teamName(m.away)}`),
        h("a", { class: "venue-name", href: `#/venue/${encodeURIComponent(m.venue_id)}` }, venue ? venue.name : m.venue_id),
        h("span", { class: "countdown", "data-kickoff": m.kickoff }, countdown(new Date(m.kickoff) - now())));
    })));
  }

  function tickCountdowns() {
    matchesBox.querySelectorAll(".countdown").forEach((el) => {
      el.textContent = countdown(new Date(el.dataset.kickoff) - now());
    });
    const zone = homeZone();
    if (!query.get("date") && allMatches && dayShown && pickDay(allMatches, isoDate(now(), zone)) !== dayShown) drawMatches();
  }

  function drawIncidents() {
    if (!can("read_operations")) return;
    const counts = PRIORITIES.map((p) => openIncidents.filter((i) => i.priority === p).length);
    clear(incidentsBox).append(
      h("div", { class: "priorities" }, PRIORITIES.map((p, k) =>
        h("div", { class: `priority priority-${p}`, "data-priority": p },
          h("strong", {}, number(counts[k])), h("span", {}, t(`priority.${p}`))))),
      h("ul", { class: "list" }, openIncidents.slice(0, 6).map((i) =>
        h("li", { "data-incident": i.id },
          h("span", { class: `badge priority-${i.priority}` }, t("incident.p", { p: i.priority })),
          h("a", { href: `#/incidents/${encodeURIComponent(i.id)}` }, tv("type", i.type)),
          " ", h("span", { class: "muted" }, venueName(i.venue_id)),
          " ", h("span", { class: `status status-${i.status}` }, t(`status.${i.status}`))))));
  }

  function drawAlerts() {
    const items = [];
    for (const v of state.venues) {
      for (const a of crowdAlerts(state.status.get(v.id))) items.push({ kind: "crowd", venue: v, alert: a });
    }
    const severity = { critical: 0, warning: 1, watch: 2 };
    items.sort((a, b) => (severity[a.alert.severity] ?? 3) - (severity[b.alert.severity] ?? 3));
    const rows = items.map(({ venue, alert }) => h("li", { class: `alert severity-${alert.severity}` },
      h("span", { class: "badge" }, t(`level.${alert.severity}`)),
      h("a", { href: `#/venue/${encodeURIComponent(venue.id)}` }, venue.name), " ",
      crowdAlertText(alert, venue.id)));
    for (const s of screening) {
      rows.push(h("li", { class: "alert severity-intel" },
        h("span", { class: "badge" }, t("alert.screening")),
        h("a", { href: `#/analyst/${encodeURIComponent(s.id)}` }, s.person_name), " ",
        t("alert.screening_text", { score: number(s.score, 2), entry: s.entry_name })));
    }
    clear(alertsBox).append(rows.length ? h("ul", { class: "list" }, rows) : h("p", { class: "muted" }, t("overview.no_alerts")));
  }

  async function reloadStatuses() {
    await Promise.all(state.venues.map((v) => loadStatus(v.id).catch(() => null)));
    await Promise.all(state.venues.filter((v) => crowdAlerts(state.status.get(v.id)).length).map((v) => loadDetail(v.id).catch(() => null)));
    drawVenues(); drawOccupancy(); drawAlerts();
  }
  async function reloadIncidents() {
    if (!can("read_operations")) return;
    openIncidents = await api.get("/api/v1/incidents", { status: "open" });
    drawIncidents();
  }
  async function reloadScreening() {
    if (!can("read_intelligence")) return;
    const list = await api.get("/api/v1/screening/alerts");
    screening = list.filter((a) => !["confirmed", "dismissed"].includes(a.status));
    drawAlerts();
  }

  drawVenues(); drawOccupancy(); drawAlerts();
  await Promise.all([drawMatches(), reloadStatuses(), reloadIncidents(), reloadScreening()]);

  const refreshVenue = new Map();
  const onFlow = (data) => {
    if (data && data.occupancy !== undefined && data.as_of) {
      rememberStatus(data);
      drawVenues(); drawOccupancy(); drawAlerts();
      return;
    }
    const id = data && data.venue_id;
    if (!id) return;
    if (!refreshVenue.has(id)) {
      refreshVenue.set(id, throttle(() => loadStatus(id).then(() => { drawVenues(); drawOccupancy(); drawAlerts(); }).catch(() => null), 1000));
    }
    refreshVenue.get(id)();
  };
  const offs = [
    live.on("gate_flow", onFlow),
    live.on("incident", throttle(() => reloadIncidents().catch(() => null), 300)),
    live.on("screening_alert", throttle(() => reloadScreening().catch(() => null), 500)),
    live.on("open", () => { reloadStatuses(); reloadIncidents().catch(() => null); reloadScreening().catch(() => null); }),
  ];
  const timer = setInterval(tickCountdowns, 1000);
  return () => { clearInterval(timer); offs.forEach((off) => off()); };
}

function venueName(id) {
  const venue = state.venueById.get(id);
  return venue ? venue.name : id || "";
}

function legend() {
  return h("p", { class: "legend" }, ["none", "watch", "warning", "critical"].map((level) =>
    h("span", { class: `key level-${level}` }, t(`level.${level}`))));
}

/** "Gate 3 (East) · Turnstiles" for "venue/venue-g3-turnstiles", from the venue's gates. */
export function stationName(stationId, venueId) {
  const checkpoint = stationId.split("/").pop();
  const detail = state.details.get(venueId);
  for (const gate of (detail && detail.gates) || []) {
    for (const c of gate.checkpoints || []) {
      if (c.id === checkpoint) return `${gate.name} · ${t(`checkpoint.${c.kind}`)}`;
    }
  }
  return checkpoint;
}

/** A crowd alert in the user's language, from its fields (not the engine's English message). */
export function crowdAlertText(alert, venueId) {
  const zone = venueZone(venueId);
  const parts = [];
  parts.push(`${stationName(alert.station_id || "", venueId)}:`);
  if (alert.overload_from) parts.push(t("alert.overload", { at: time(alert.overload_from, zone) }));
  if (alert.wait_passes_at) parts.push(t("alert.wait_passes", { minutes: alert.threshold_min, at: time(alert.wait_passes_at, zone) }));
  if (alert.max_wait_min !== undefined) parts.push(t("alert.max_wait", { minutes: Math.round(alert.max_wait_min) }));
  if (alert.lead_minutes !== undefined && alert.lead_minutes !== null) {
    parts.push(alert.lead_minutes > 0 ? t("alert.lead", { minutes: Math.round(alert.lead_minutes) }) : t("alert.passed"));
  }
  return parts.join(" ");
}
