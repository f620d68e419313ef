// Venue: gates and checkpoints with live inflow and occupancy, each checkpoint's queue and wait
// against the target (actual so far, forecast ahead), and the bottleneck alerts with their lead
// time and the planner's suggested mitigation.

import { barChart, lineChart } from "../chart.js";
import { now } from "../clock.js";
import { clear, h } from "../dom.js";
import { number, percent, t, time } from "../i18n.js";
import * as live from "../live.js";
import { api } from "../api.js";
import { addHistory, checkpointId, loadDetail, loadStatus, queueOf, rememberStatus, state, venueZone, waitOf } from "../state.js";
import { crowdAlerts, throttle } from "../util.js";
import { crowdAlertText } from "./overview.js";

const TARGET_WAIT_MIN = 15;
// Planning target for a wait at a checkpoint, the crowd engine's default
// (opsroom.crowd.figures.DEFAULT_MAX_WAIT_MINUTES); a status may carry its own.

export async function render(root, { args }) {
  const venueId = args[0];
  const venue = state.venueById.get(venueId);
  if (!venue) {
    root.append(h("p", { class: "error" }, t("venue.unknown", { id: venueId || "" })));
    return null;
  }
  const zone = venueZone(venueId);
  const detail = await loadDetail(venueId);
  const head = h("div", { class: "venue-head" });
  const gatesBox = h("div", { id: "gates" });
  const chartsBox = h("div", { id: "charts", class: "charts" });
  const inflowBox = h("div", { id: "inflow" });
  const alertsBox = h("div", { id: "venue-alerts" });
  root.append(
    h("p", {}, h("a", { href: "#/overview" }, t("nav.back"))),
    h("section", { class: "card" }, h("h1", {}, venue.name), head),
    h("div", { class: "grid venue" },
      h("section", { class: "card wide" }, h("h2", {}, t("venue.gates")), gatesBox),
      h("section", { class: "card" }, h("h2", {}, t("venue.inflow")), inflowBox),
      h("section", { class: "card" }, h("h2", {}, t("venue.alerts")), alertsBox),
      h("section", { class: "card wide" }, h("h2", {}, t("venue.waits")),
        h("p", { class: "legend" },
          h("span", { class: "key actual" }, t("chart.actual")),
          h("span", { class: "key forecast" }, t("chart.forecast")),
          h("span", { class: "key target" }, t("chart.target", { minutes: TARGET_WAIT_MIN }))),
        chartsBox)));

  function draw() {
    const status = state.status.get(venueId);
    const occupancy = status ? status.occupancy : 0;
    clear(head).append(
      h("dl", { class: "facts" },
        h("dt", {}, t("venue.city")), h("dd", {}, venue.city),
        h("dt", {}, t("venue.capacity")), h("dd", {}, number(venue.capacity)),
        h("dt", {}, t("venue.occupancy")), h("dd", { id: "venue-occupancy" }, `${number(occupancy)} (${percent(occupancy / venue.capacity)})`),
        h("dt", {}, t("venue.level")), h("dd", {}, h("span", { class: `badge level-${status ? status.alert_level : "none"}` }, t(`level.${status ? status.alert_level : "none"}`))),
        h("dt", {}, t("venue.as_of")), h("dd", {}, status ? time(status.as_of, zone) : "—")));
    const gateStatus = new Map(((status && status.gates) || []).map((g) => [g.gate_id, g]));
    const checkpoints = new Map((((status && status.nowcast) || {}).checkpoints || []).map((c) => [checkpointId(c), c]));
    const rows = [];
    for (const gate of detail.gates || []) {
      const g = gateStatus.get(gate.id) || { occupancy: 0, inflow_last_15_min: 0 };
      const cps = gate.checkpoints && gate.checkpoints.length ? gate.checkpoints : [{ id: gate.id, kind: "screening" }, { id: `${gate.id}-turnstiles`, kind: "turnstile" }];
      cps.forEach((cp, k) => {
        const c = checkpoints.get(cp.id);
        const wait = c ? waitOf(c) : 0;
        rows.push(h("tr", { "data-gate": gate.id, "data-checkpoint": cp.id },
          k === 0 ? h("th", { rowspan: cps.length }, gate.name) : null,
          k === 0 ? h("td", { rowspan: cps.length, class: "num" }, number(g.occupancy)) : null,
          k === 0 ? h("td", { rowspan: cps.length, class: "num" }, number(g.inflow_last_15_min)) : null,
          h("td", {}, t(`checkpoint.${cp.kind}`)),
          h("td", { class: "num" }, cp.servers !== undefined ? number(cp.servers) : ""),
          h("td", { class: "num" }, c ? number(queueOf(c)) : "—"),
          h("td", { class: `num ${wait > TARGET_WAIT_MIN ? "over" : ""}` }, c ? t("unit.minutes", { m: number(wait, 1) }) : "—")));
      });
    }
    clear(gatesBox).append(h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["venue.gate", "venue.gate_occupancy", "venue.inflow_15", "venue.checkpoint", "venue.servers", "venue.queue", "venue.wait"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, rows)));

    const bars = ((status && status.inflow_per_minute) || []).map((b) => ({ at: b.minute, value: b.count }));
    clear(inflowBox).append(barChart({ bars, label: t("venue.inflow"), formatTime: (d) => time(d, zone), formatValue: (v) => number(v) }),
      h("p", { class: "muted" }, t("venue.inflow_note")));

    const alerts = crowdAlerts(status);
    clear(alertsBox).append(alerts.length
      ? h("ul", { class: "list" }, alerts.map((a) => h("li", { class: `alert severity-${a.severity}` },
        h("span", { class: "badge" }, t(`level.${a.severity}`)), " ", crowdAlertText(a, venueId),
        mitigation(a) && h("p", { class: "mitigation" }, t("alert.mitigation", { text: mitigation(a) })))))
      : h("p", { class: "muted" }, t("venue.no_alerts")));

    const history = state.history.get(venueId) || new Map();
    const charts = [];
    for (const gate of detail.gates || []) {
      // Each gate's chart follows its slowest checkpoint (now or ahead).
      const cps = gate.checkpoints && gate.checkpoints.length ? gate.checkpoints : [{ id: gate.id, kind: "screening" }];
      const worst = (cp) => {
        const c = checkpoints.get(cp.id);
        return c ? Math.max(waitOf(c), c.max_wait_min_ahead ?? 0) : 0;
      };
      const cp = cps.reduce((a, b) => (worst(b) > worst(a) ? b : a), cps[0]);
      const c = checkpoints.get(cp.id);
      const actual = (history.get(cp.id) || []).map((p) => ({ at: p.at, value: p.wait }));
      const forecast = c ? forecastOf(c, status) : [];
      const caption = t("venue.wait_of", { gate: `${gate.name} · ${t(`checkpoint.${cp.kind}`)}` });
      charts.push(h("figure", { class: "chart-box", "data-checkpoint": cp.id },
        lineChart({ actual, forecast, target: TARGET_WAIT_MIN, now: status ? new Date(status.as_of) : now(), label: caption, formatTime: (d) => time(d, zone), formatValue: (v) => number(v) }),
        h("figcaption", {}, caption)));
    }
    clear(chartsBox).append(...charts);
  }

  try { await loadStatus(venueId); } catch (error) { console.warn("no status", error); }
  draw();
  backfill(venueId).then(draw).catch(() => null);
  const refresh = throttle(() => loadStatus(venueId).then(draw).catch(() => null), 1000);
  const onFlow = (data) => {
    if (!data || data.venue_id !== venueId) return;
    if (data.occupancy !== undefined && data.as_of) { rememberStatus(data); draw(); } else refresh();
  };
  // Crowd alerts come inside the flow's nowcast; their own events would only repeat them.
  const offs = [live.on("gate_flow", onFlow), live.on("open", refresh)];
  return () => offs.forEach((off) => off());
}

const BACKFILL_STEP_MIN = 10;
const BACKFILL_HOURS = 3;
const backfilled = new Set();

/** What the waits were so far: the status as of every 10 minutes of the last 3 hours. */
async function backfill(venueId) {
  const status = state.status.get(venueId);
  if (!status || !status.match_id || backfilled.has(`${venueId}/${status.match_id}`)) return;
  backfilled.add(`${venueId}/${status.match_id}`);
  const end = new Date(status.as_of).getTime();
  const times = [];
  for (let k = 1; k <= (BACKFILL_HOURS * 60) / BACKFILL_STEP_MIN; k++) {
    times.push(new Date(end - k * BACKFILL_STEP_MIN * 60000).toISOString());
  }
  const past = await Promise.all(times.map((at) =>
    api.get(`/api/v1/venues/${encodeURIComponent(venueId)}/status`, { at }).catch(() => null)));
  for (const s of past) if (s && s.match_id === status.match_id) addHistory(s);
}

/** The forecast ahead of one checkpoint: its series if the status has one, else now → peak. */
function forecastOf(c, status) {
  if (Array.isArray(c.forecast) && c.forecast.length) {
    return c.forecast.map((p) => ({ at: p.at, value: p.wait_minutes ?? p.wait_min ?? 0 }));
  }
  if (c.max_wait_at && c.max_wait_min_ahead !== undefined && status) {
    return [{ at: status.as_of, value: waitOf(c) }, { at: c.max_wait_at, value: c.max_wait_min_ahead }];
  }
  return [];
}

/**
 * The planner's suggestion for an alert: ``{servers_now, servers_needed, staff_needed}`` is put
 * in words of the user's language; a plain text is shown as it comes.
 */
function mitigation(alert) {
  const m = alert.mitigation ?? alert.suggestion ?? alert.suggested_mitigation;
  if (!m) return "";
  if (typeof m === "string") return m;
  if (typeof m.servers_needed === "number" && typeof m.servers_now === "number" && m.servers_needed > m.servers_now) {
    const kind = m.kind || (String(m.checkpoint_id || alert.station_id || "").endsWith("-turnstiles") ? "turnstile" : "screening");
    return t(`mitigation.${kind === "turnstile" ? "turnstiles" : "lanes"}`, {
      extra: m.servers_needed - m.servers_now, now: m.servers_now, needed: m.servers_needed,
      staff: typeof m.staff_needed === "number" ? m.staff_needed : 0,
    });
  }
  return m.text || m.message || m.summary || "";
}
