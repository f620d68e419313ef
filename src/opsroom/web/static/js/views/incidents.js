// Incidents: report one (validated form), see it dispatched, move it through its lifecycle,
// read its timeline; the units on the map with their status.

import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { dateTime, number, t, tv } from "../i18n.js";
import * as live from "../live.js";
import { drawMap } from "../map.js";
import { can, loadDetail, state, venueZone } from "../state.js";
import { CAPABILITIES, INCIDENT_TYPES, nextStatuses, PRIORITIES, throttle } from "../util.js";

const DESCRIPTION_MIN = 5;
const DESCRIPTION_MAX = 2000;

export async function render(root, { args }) {
  if (!can("read_operations")) {
    root.append(h("p", { class: "error", id: "refused" }, t("error.forbidden")));
    return null;
  }
  let selected = args[0] || null;
  let filter = "open";
  let incidents = [];
  let units = [];
  // The outcome of the last action on an incident, kept across the redraws that follow it (its
  // own reload and the live events it causes).
  let notice = null;
  const listBox = h("div", { id: "incident-list" });
  const detailBox = h("div", { id: "incident-detail" });
  const mapBox = h("div", { class: "map-box" });
  const formBox = can("manage_incidents") ? reportForm(async (created) => {
    selected = String(created.id);
    location.hash = `#/incidents/${encodeURIComponent(selected)}`;
  }) : null;
  const filterSelect = h("select", { id: "incident-filter", onchange: (e) => { filter = e.target.value; reload(); } },
    h("option", { value: "open" }, t("incident.filter_open")), h("option", { value: "" }, t("incident.filter_all")));
  root.append(h("div", { class: "grid incidents" },
    formBox && h("section", { class: "card" }, h("h2", {}, t("incident.report")), formBox),
    h("section", { class: "card" }, h("h2", {}, t("incident.list"), " ", filterSelect), listBox),
    h("section", { class: "card" }, h("h2", {}, t("incident.detail")), detailBox),
    h("section", { class: "card map-card" }, h("h2", {}, t("incident.map")), mapBox, unitLegend())));

  function drawList() {
    if (!incidents.length) { clear(listBox).append(h("p", { class: "muted" }, t("incident.none"))); return; }
    clear(listBox).append(h("ul", { class: "list incidents-list" }, incidents.map((i) =>
      h("li", { "data-incident": i.id, class: String(i.id) === selected ? "selected" : "" },
        h("span", { class: `badge priority-${i.priority}` }, t("incident.p", { p: i.priority })),
        h("a", { href: `#/incidents/${encodeURIComponent(i.id)}` }, tv("type", i.type)), " ",
        h("span", { class: "muted" }, venueName(i.venue_id)), " ",
        h("span", { class: `status status-${i.status}` }, t(`status.${i.status}`)), " ",
        h("time", { class: "muted" }, dateTime(i.created_at || i.reported_at, venueZone(i.venue_id)))))));
  }

  function drawMapBox() {
    const points = [];
    for (const v of state.venues) points.push({ kind: "venue", id: v.id, lon: v.lon, lat: v.lat, label: v.name, level: "none", size: 0.6 });
    for (const u of units) {
      if (u.lat === null || u.lat === undefined) continue;
      points.push({ kind: "unit", id: u.id, lon: u.lon, lat: u.lat, status: u.status, label: u.name, tooltip: `${u.name} (${tv("unit_kind", u.kind)}) — ${t(`unit_status.${u.status}`)}` });
    }
    for (const i of incidents) {
      const where = i.lat !== null && i.lat !== undefined ? i : state.venueById.get(i.venue_id);
      if (!where) continue;
      points.push({ kind: "incident", id: i.id, lon: where.lon, lat: where.lat, priority: i.priority, label: tv("type", i.type), onclick: () => { location.hash = `#/incidents/${encodeURIComponent(i.id)}`; } });
    }
    // Framed on the venues and on the units and incidents within the deployment's area.
    clear(mapBox).append(drawMap({ points, fit: "points", padShare: 0.15, title: t("incident.map") }),
      h("ul", { class: "list units" }, units.map((u) => h("li", { "data-unit": u.id },
        h("span", { class: `dot unit-${u.status}` }), `${u.name} — ${t(`unit_status.${u.status}`)}`))));
  }

  async function drawDetail() {
    if (!selected) { clear(detailBox).append(h("p", { class: "muted" }, t("incident.pick"))); return; }
    let incident;
    try {
      incident = await api.get(`/api/v1/incidents/${encodeURIComponent(selected)}`);
    } catch (error) {
      clear(detailBox).append(h("p", { class: "error" }, error.message));
      return;
    }
    const zone = venueZone(incident.venue_id);
    let gateName = incident.gate_id || "—";
    if (incident.venue_id && incident.gate_id) {
      const detail = await loadDetail(incident.venue_id).catch(() => null);
      const gate = detail && (detail.gates || []).find((g) => g.id === incident.gate_id);
      if (gate) gateName = gate.name;
    }
    const actions = h("div", { class: "actions" });
    const result = h("p", { class: "result", id: "dispatch-result" }, notice && notice.id === incident.id ? notice.text : "");
    if (can("manage_incidents")) {
      if (["reported", "acknowledged"].includes(incident.status)) {
        actions.append(h("button", { type: "button", "data-action": "dispatch", onclick: () => dispatch(incident.id, result) }, t("incident.dispatch")));
      }
      for (const next of nextStatuses(incident.status)) {
        actions.append(h("button", { type: "button", "data-action": next, onclick: () => move(incident.id, next, result) }, t(`action.${next}`)));
      }
    }
    const timeline = incident.timeline || [];
    clear(detailBox).append(
      h("h3", {}, h("span", { class: `badge priority-${incident.priority}` }, t("incident.p", { p: incident.priority })), " ", tv("type", incident.type)),
      h("dl", { class: "facts" },
        h("dt", {}, t("incident.status")), h("dd", { id: "incident-status" }, t(`status.${incident.status}`)),
        h("dt", {}, t("incident.venue")), h("dd", {}, venueName(incident.venue_id) || "—"),
        h("dt", {}, t("incident.gate")), h("dd", {}, gateName),
        h("dt", {}, t("incident.unit")), h("dd", {}, unitName(incident.unit_id ?? (incident.unit && incident.unit.id)) || "—"),
        h("dt", {}, t("incident.description")), h("dd", {}, incident.description)),
      actions, result,
      h("h4", {}, t("incident.timeline")),
      h("ol", { class: "timeline" }, timeline.map((e) => h("li", {},
        h("time", {}, dateTime(e.at, zone)), " ",
        h("strong", {}, e.author || ""), " ",
        e.to_status ? t("timeline.status", { from: e.from_status ? t(`status.${e.from_status}`) : "—", to: t(`status.${e.to_status}`) }) : t(`timeline.${e.kind}`, {}),
        e.note ? h("span", { class: "muted" }, ` — ${e.note}`) : null))));
  }

  async function dispatch(id, result) {
    try {
      const answer = await api.post(`/api/v1/incidents/${encodeURIComponent(id)}/dispatch`, {});
      show(id, result, t("incident.dispatched", {
        unit: answer.unit ? answer.unit.name : "—",
        distance: number((answer.distance_m || 0) / 1000, 1),
        minutes: number((answer.travel_time_s || 0) / 60, 0),
      }));
      await reload();
    } catch (error) {
      show(id, result, error.message);
    }
  }

  function show(id, result, text) {
    notice = { id, text };
    result.textContent = text;
  }

  async function move(id, status, result) {
    try {
      await api.patch(`/api/v1/incidents/${encodeURIComponent(id)}`, { status });
      notice = null;
      await reload();
    } catch (error) {
      show(id, result, error.message);
    }
  }

  function unitName(id) {
    if (id === undefined || id === null) return "";
    const unit = units.find((u) => String(u.id) === String(id));
    return unit ? unit.name : String(id);
  }

  async function reload() {
    const [list, unitList] = await Promise.all([
      api.get("/api/v1/incidents", { status: filter }),
      api.get("/api/v1/units").catch(() => []),
    ]);
    incidents = list;
    units = unitList;
    drawList(); drawMapBox();
    await drawDetail();
  }

  await reload();
  const later = throttle(() => reload().catch(() => null), 300);
  const offs = [live.on("incident", later), live.on("unit", later), live.on("open", later)];
  return () => offs.forEach((off) => off());
}

function venueName(id) {
  const venue = state.venueById.get(id);
  return venue ? venue.name : id || "";
}

function unitLegend() {
  return h("p", { class: "legend" }, ["available", "dispatched", "on_scene", "off_duty"].map((s) =>
    h("span", { class: `key unit-${s}` }, t(`unit_status.${s}`))));
}

function field(name, label, control) {
  return h("label", { class: "field", "data-field": name }, h("span", {}, label), control, h("small", { class: "error", "data-error-for": name }));
}

function reportForm(onCreated) {
  const venueSelect = h("select", { name: "venue_id", required: true },
    h("option", { value: "" }, t("form.choose")),
    state.venues.map((v) => h("option", { value: v.id }, v.name)));
  const gateSelect = h("select", { name: "gate_id" }, h("option", { value: "" }, t("form.none")));
  venueSelect.addEventListener("change", async () => {
    clear(gateSelect).append(h("option", { value: "" }, t("form.none")));
    if (!venueSelect.value) return;
    const detail = await loadDetail(venueSelect.value);
    for (const gate of detail.gates || []) gateSelect.append(h("option", { value: gate.id }, gate.name));
  });
  const form = h("form", { id: "incident-form", novalidate: true },
    field("type", t("incident.type"), h("select", { name: "type", required: true },
      h("option", { value: "" }, t("form.choose")), INCIDENT_TYPES.map((k) => h("option", { value: k }, tv("type", k))))),
    field("priority", t("incident.priority"), h("select", { name: "priority", required: true },
      PRIORITIES.map((p) => h("option", { value: p, selected: p === 3 }, `${t("incident.p", { p })} — ${t(`priority.${p}`)}`)))),
    field("venue_id", t("incident.venue"), venueSelect),
    field("gate_id", t("incident.gate"), gateSelect),
    field("required_capability", t("incident.capability"), h("select", { name: "required_capability" },
      CAPABILITIES.map((c) => h("option", { value: c }, c ? tv("capability", c) : t("form.none"))))),
    field("description", t("incident.description"), h("textarea", { name: "description", rows: 3, maxlength: DESCRIPTION_MAX, required: true })),
    h("p", { class: "error", role: "alert", id: "form-error" }),
    h("button", { type: "submit" }, t("incident.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelectorAll("[data-error-for]").forEach((el) => { el.textContent = ""; });
    form.querySelector("#form-error").textContent = "";
    const data = Object.fromEntries(new FormData(form).entries());
    const problems = [];
    if (!data.type) problems.push({ field: "type", message: t("form.required") });
    if (!data.venue_id) problems.push({ field: "venue_id", message: t("form.required") });
    const description = (data.description || "").trim();
    if (description.length < DESCRIPTION_MIN) problems.push({ field: "description", message: t("form.too_short", { n: DESCRIPTION_MIN }) });
    if (problems.length) { showProblems(form, problems); return; }
    const body = { type: data.type, priority: Number(data.priority), description, venue_id: data.venue_id };
    if (data.gate_id) body.gate_id = data.gate_id;
    if (data.required_capability) body.required_capability = data.required_capability;
    try {
      const created = await api.post("/api/v1/incidents", body);
      form.reset();
      await onCreated(created);
    } catch (error) {
      if (error.problems.length) showProblems(form, error.problems);
      else form.querySelector("#form-error").textContent = error.message;
    }
  });
  return form;
}

function showProblems(form, problems) {
  for (const p of problems) {
    const name = String(p.field || "").split(".").pop();
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) slot.textContent = p.message;
    else form.querySelector("#form-error").textContent = p.message;
  }
}
