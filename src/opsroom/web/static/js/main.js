// The page: sign-in, navigation between views, the header (clock, live state, language, user).

import { api, onUnauthorized, setToken, token } from "./api.js";
import { now, followsData } from "./clock.js";
import { clear } from "./dom.js";
import { currentLang, dateTime, onLanguage, preferredLang, setHostZone, setLang, t, translate } from "./i18n.js";
import * as live from "./live.js";
import { loadOutline } from "./map.js";
import { can, homeZone, loadMe, loadVenues, state } from "./state.js";
import * as analyst from "./views/analyst.js";
import * as incidents from "./views/incidents.js";
import * as overview from "./views/overview.js";
import * as venue from "./views/venue.js";

const VIEWS = { overview, venue, incidents, analyst };
const view = document.getElementById("view");
let cleanup = null;
let rendering = 0;

function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  const [name, ...rest] = path.split("/");
  return { name: VIEWS[name] ? name : "overview", args: rest.map(decodeURIComponent), query: new URLSearchParams(query) };
}

async function show() {
  if (cleanup) { cleanup(); cleanup = null; }
  if (!token() || !state.me) return showLogin();
  const { name, args, query } = route();
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === name));
  const ticket = ++rendering;
  clear(view);
  view.dataset.view = name;
  try {
    const done = await VIEWS[name].render(view, { args, query });
    if (ticket !== rendering) { if (done) done(); return; }
    cleanup = done || null;
  } catch (error) {
    if (ticket !== rendering) return;
    console.warn("view failed", error);
    clear(view).append(Object.assign(document.createElement("p"), { className: "error", textContent: t("error.load", { message: error.message }) }));
  }
}

function showLogin() {
  live.disconnect();
  document.getElementById("nav").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("user").textContent = "";
  clear(view);
  view.dataset.view = "login";
  const content = document.getElementById("login-template").content.cloneNode(true);
  translate(content);
  view.append(content);
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.username.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!form.username.value.trim() || !form.password.value) {
      error.textContent = t("auth.missing");
      return;
    }
    try {
      const answer = await api.login(form.username.value.trim(), form.password.value);
      await start({ issued: answer.access_token });
    } catch (e) {
      error.textContent = e.status === 401 || e.status === 400 ? t("auth.refused") : t("error.load", { message: e.message });
    }
  });
}

function header() {
  const me = state.me;
  document.getElementById("nav").hidden = false;
  document.getElementById("logout").hidden = false;
  document.querySelectorAll("#nav a[data-needs]").forEach((a) => { a.hidden = !can(a.dataset.needs); });
  document.querySelectorAll("#nav a[data-view=incidents]").forEach((a) => { a.hidden = !can("read_operations"); });
  document.getElementById("user").textContent = t("auth.user", { user: me.username, role: t(`role.${me.role}`), agency: me.agency_id });
}

async function start({ issued = null } = {}) {
  // A token used at once may reach the server before its issue is stored: a fresh one gets a
  // few more tries before the page gives up on it.
  for (let attempt = 0; ; attempt++) {
    try {
      await Promise.all([loadMe(), loadVenues(), loadOutline()]);
      break;
    } catch (error) {
      if (error.status !== 401 || !issued || attempt >= 5) return showLogin();
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      setToken(issued);
    }
  }
  setHostZone(homeZone());
  header();
  live.connect();
  await show();
}

function tick() {
  const el = document.getElementById("clock");
  if (!state.venues.length) { el.textContent = ""; return; }
  el.textContent = dateTime(now(), homeZone());
  el.title = followsData() ? t("clock.data") : t("clock.machine");
  el.dataset.source = followsData() ? "data" : "machine";
}

async function boot() {
  await setLang(preferredLang());
  document.title = t("app.title");
  const select = document.getElementById("lang");
  select.value = currentLang();
  select.addEventListener("change", () => setLang(select.value));
  onLanguage(() => {
    document.title = t("app.title");
    const liveEl = document.getElementById("live");
    if (liveEl.dataset.state) liveEl.textContent = t(`live.${liveEl.dataset.state}`);
    if (state.me) header();
    show();
    tick();
  });
  live.onStatus((status) => {
    const el = document.getElementById("live");
    el.dataset.state = status;
    el.textContent = t(`live.${status}`);
  });
  onUnauthorized(() => { state.me = null; showLogin(); });
  // A stream closed by the server: one request tells whether the session has ended (a 401 then
  // shows the sign-in page through onUnauthorized).
  live.on("closed", () => { api.get("/api/v1/me").catch(() => {}); });
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api.logout(); } catch { /* the token is dropped either way */ }
    state.me = null;
    location.hash = "";
    showLogin();
  });
  window.addEventListener("hashchange", show);
  setInterval(tick, 1000);
  if (token()) await start();
  else showLogin();
}

boot();
