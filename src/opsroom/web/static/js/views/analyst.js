// Analyst: screening alerts with the explanation of each match. Opening one asks for the reason
// of the access and calls the alert endpoint, which writes the audit entry; the server decides
// who may (a refusal is shown as such). A decision (confirm, dismiss) needs a reason.

import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { dateTime, number, t, tv } from "../i18n.js";
import * as live from "../live.js";
import { can, homeZone } from "../state.js";
import { throttle } from "../util.js";

export async function render(root, { args, query }) {
  const alertId = args[0] || null;
  if (alertId) return openOne(root, alertId);
  if (!can("read_intelligence")) {
    root.append(h("p", { class: "error", id: "refused" }, t("error.forbidden")));
    return null;
  }
  let status = query.get("status") || "";
  const listBox = h("div", { id: "screening-list" });
  const statusSelect = h("select", { id: "alert-filter", onchange: (e) => { status = e.target.value; reload(); } },
    ["", "open", "confirmed", "dismissed"].map((s) => h("option", { value: s, selected: s === status }, t(s ? `alert_status.${s}` : "alert_status.all"))));
  root.append(h("section", { class: "card" }, h("h1", {}, t("analyst.title"), " ", statusSelect),
    h("p", { class: "muted" }, t("analyst.audit_note")), listBox));

  async function reload() {
    const alerts = await api.get("/api/v1/screening/alerts", { status });
    if (!alerts.length) { clear(listBox).append(h("p", { class: "muted" }, t("analyst.none"))); return; }
    clear(listBox).append(h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["analyst.person", "analyst.entry", "analyst.score", "analyst.status", "analyst.created"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, alerts.map((a) => h("tr", { "data-alert": a.id },
        h("td", {}, h("a", { href: `#/analyst/${encodeURIComponent(a.id)}` }, person(a))),
        h("td", {}, a.entry_name),
        h("td", { class: "num" }, number(a.score, 2)),
        h("td", {}, t(`alert_status.${a.status}`)),
        h("td", {}, dateTime(a.created_at, homeZone())))))));
  }
  await reload();
  const later = throttle(() => reload().catch(() => null), 500);
  const offs = [live.on("screening_alert", later), live.on("open", later)];
  return () => offs.forEach((off) => off());
}

function openOne(root, alertId) {
  const box = h("div", { id: "alert-detail" });
  const reasonForm = h("form", { id: "reason-form", novalidate: true },
    h("label", { class: "field" }, h("span", {}, t("analyst.reason")),
      h("input", { name: "reason", required: true, maxlength: 500 }), h("small", { class: "error", id: "reason-error" })),
    h("button", { type: "submit" }, t("analyst.open")));
  root.append(h("p", {}, h("a", { href: "#/analyst" }, t("nav.back"))),
    h("section", { class: "card" }, h("h1", {}, t("analyst.alert")), h("p", { class: "muted" }, t("analyst.audit_note")), reasonForm, box));
  reasonForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = reasonForm.reason.value.trim();
    if (!reason) { reasonForm.querySelector("#reason-error").textContent = t("form.required"); return; }
    try {
      const alert = await api.get(`/api/v1/screening/alerts/${encodeURIComponent(alertId)}`, { reason });
      reasonForm.hidden = true;
      showAlert(box, alert);
    } catch (error) {
      clear(box).append(h("p", { class: "error", id: "refused" },
        error.status === 403 ? t("error.forbidden") : error.status === 404 ? t("error.not_found") : error.message));
    }
  });
  return null;
}

function showAlert(box, alert) {
  const decision = h("form", { id: "decision-form", novalidate: true },
    h("label", { class: "field" }, h("span", {}, t("analyst.decision_reason")),
      h("textarea", { name: "reason", rows: 2, required: true, maxlength: 2000 }), h("small", { class: "error", id: "decision-error" })),
    h("div", { class: "actions" },
      h("button", { type: "submit", value: "confirm", "data-decision": "confirm" }, t("analyst.confirm")),
      h("button", { type: "submit", value: "dismiss", "data-decision": "dismiss", class: "secondary" }, t("analyst.dismiss"))));
  const result = h("p", { class: "result", id: "decision-result" });
  decision.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = event.submitter ? event.submitter.value : "dismiss";
    const reason = decision.reason.value.trim();
    if (!reason) { decision.querySelector("#decision-error").textContent = t("form.required"); return; }
    try {
      const answer = await api.post(`/api/v1/screening/alerts/${encodeURIComponent(alert.id)}/decision`, { decision: choice, reason });
      result.textContent = t("analyst.decided", { status: t(`alert_status.${(answer && answer.status) || choice}`) });
      decision.hidden = true;
    } catch (error) {
      result.textContent = error.status === 403 ? t("error.forbidden") : error.message;
    }
  });
  clear(box).append(
    h("dl", { class: "facts" },
      h("dt", {}, t("analyst.person")), h("dd", { id: "alert-person" }, alert.person_name ? `${alert.person_name} (${alert.person_id})` : person(alert)),
      h("dt", {}, t("analyst.entry")), h("dd", {}, alert.entry_name),
      h("dt", {}, t("analyst.score")), h("dd", {}, number(alert.score, 2)),
      h("dt", {}, t("analyst.status")), h("dd", {}, t(`alert_status.${alert.status}`))),
    h("h2", {}, t("analyst.explanation")),
    h("div", { class: "explanation", id: "explanation" }, explain(alert.explanation)),
    alert.comments && alert.comments.length ? h("section", { id: "alert-comments" },
      h("h2", {}, t("analyst.comments")),
      h("ul", { class: "list" }, alert.comments.map((c) => h("li", {},
        h("strong", {}, `${c.author} (${c.agency_id})`), " ", dateTime(c.created_at, homeZone()),
        h("p", { dir: "auto" }, c.text))))) : null,
    can("manage_intelligence") && !["confirmed", "dismissed"].includes(alert.status) ? decision : null,
    result);
}

/**
 * The screening core's explanation: the listed name that matched, token by token (how and how
 * similar), what each feature added to the score, and the tokens left unmatched. Any other
 * shape is shown as it comes.
 */
// The person's details go only to the agency that ran the screening; the others learn whom to ask.
function person(alert) {
  return alert.person_name ?? t("analyst.ask_agency", { agency: alert.screening_agency });
}

function explain(value) {
  if (!value || typeof value !== "object" || !Array.isArray(value.tokens)) return explainAny(value);
  const parts = [];
  if (value.matched_name) parts.push(h("p", {}, t("explain.matched_name"), " ", h("strong", { dir: "auto" }, value.matched_name)));
  parts.push(h("table", { class: "table", id: "explain-tokens" },
    h("thead", {}, h("tr", {}, ["explain.query", "explain.listed", "explain.how", "explain.similarity", "explain.weight"].map((k) => h("th", {}, t(k))))),
    h("tbody", {}, value.tokens.map((tok) => h("tr", {},
      h("td", { dir: "auto" }, tok.query ?? ""), h("td", { dir: "auto" }, tok.listed ?? ""),
      h("td", {}, tv("how", tok.how)),
      h("td", { class: "num" }, typeof tok.similarity === "number" ? number(tok.similarity, 2) : ""),
      h("td", { class: "num" }, typeof tok.weight === "number" ? number(tok.weight, 2) : ""))))));
  if (Array.isArray(value.contributions) && value.contributions.length) {
    parts.push(h("h3", {}, t("explain.contributions")), h("table", { class: "table", id: "explain-features" },
      h("tbody", {}, value.contributions.map((c) => h("tr", {},
        h("th", {}, tv("feature", c.name ?? c.feature ?? "")),
        h("td", { class: "num" }, typeof c.value === "number" ? `${c.value >= 0 ? "+" : ""}${number(c.value, 2)}` : ""),
        h("td", { dir: "auto" }, c.detail ?? c.explanation ?? ""))))));
  }
  for (const key of ["unmatched_query", "unmatched_listed"]) {
    const rest = value[key];
    if (Array.isArray(rest) && rest.length) parts.push(h("p", {}, t(`explain.${key}`), " ", h("span", { dir: "auto" }, rest.join(", "))));
  }
  return h("div", {}, parts);
}

/** Render an explanation of any shape: a sentence, a list of features, or named parts. */
function explainAny(value) {
  if (value === null || value === undefined) return h("p", { class: "muted" }, "—");
  if (typeof value !== "object") return h("p", {}, String(value));
  if (Array.isArray(value)) {
    return h("ul", { class: "list" }, value.map((item) => {
      if (item && typeof item === "object" && !Array.isArray(item)) {
        const name = item.feature ?? item.name ?? item.rule ?? "";
        const score = typeof item.score === "number" ? ` (${number(item.score, 2)})` : "";
        const text = item.explanation ?? item.detail ?? item.message ?? item.text ?? "";
        const rest = Object.entries(item).filter(([k]) => !["feature", "name", "rule", "score", "explanation", "detail", "message", "text"].includes(k));
        return h("li", {}, h("strong", {}, `${name}${score}`), text ? ` ${text}` : "", rest.length ? explainAny(Object.fromEntries(rest)) : null);
      }
      return h("li", {}, typeof item === "object" ? JSON.stringify(item) : String(item));
    }));
  }
  return h("dl", { class: "facts" }, Object.entries(value).map(([k, v]) => [h("dt", {}, k),
    h("dd", {}, typeof v === "object" && v !== null ? explainAny(v) : typeof v === "number" ? number(v, 3) : String(v))]));
}
