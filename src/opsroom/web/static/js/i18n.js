// Languages: catalogues in /static/i18n/<lang>.json; numbers, dates and times through Intl,
// in the locale of the chosen language and the time zone of the venue concerned.

const LANGS = { ar: { locale: "ar", dir: "rtl" }, fr: { locale: "fr-FR", dir: "ltr" }, en: { locale: "en-GB", dir: "ltr" } };
const LANG_KEY = "opsroom.lang";
let lang = "en";
let catalogue = {};
let fallback = {};
const listeners = new Set();

export function currentLang() {
  return lang;
}

// Arabic numbers and dates follow the host country's usage: Arabic-Indic digits in Qatar,
// Latin digits in Morocco. The region comes from the venues' time zone.
const ARABIC_REGIONS = { "Asia/Qatar": "QA", "Africa/Casablanca": "MA", "Asia/Riyadh": "SA", "Africa/Cairo": "EG", "Asia/Dubai": "AE" };
let arabicLocale = "ar";

export function setHostZone(timeZone) {
  const region = ARABIC_REGIONS[timeZone];
  arabicLocale = region ? `ar-${region}` : "ar";
}

export function locale() {
  return lang === "ar" ? arabicLocale : LANGS[lang].locale;
}

export function onLanguage(listener) {
  listeners.add(listener);
}

async function load(code) {
  const response = await fetch(`/static/i18n/${code}.json`);
  if (!response.ok) throw new Error(`no catalogue for ${code}`);
  return response.json();
}

export function preferredLang() {
  const stored = localStorage.getItem(LANG_KEY);
  if (stored && LANGS[stored]) return stored;
  const wanted = (navigator.language || "en").slice(0, 2);
  return LANGS[wanted] ? wanted : "en";
}

export async function setLang(code) {
  if (!LANGS[code]) code = "en";
  if (!Object.keys(fallback).length) fallback = await load("en");
  catalogue = code === "en" ? fallback : await load(code);
  lang = code;
  localStorage.setItem(LANG_KEY, code);
  document.documentElement.lang = code;
  document.documentElement.dir = LANGS[code].dir;
  translate(document);
  listeners.forEach((listener) => listener(code));
}

/** The label for ``key`` with ``{name}`` placeholders filled (numbers formatted). */
export function t(key, vars = {}) {
  let text = catalogue[key] ?? fallback[key];
  if (text === undefined) {
    console.warn(`missing label ${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    const value = vars[name];
    if (value === undefined || value === null) return "";
    return typeof value === "number" ? number(value) : String(value);
  });
}

/** The label of a value the server sends (``family.value``), or the value itself if unknown. */
export function tv(family, value) {
  const key = `${family}.${value}`;
  return catalogue[key] ?? fallback[key] ?? String(value ?? "");
}

/** Fill every ``[data-i18n]`` element (text) and ``[data-i18n-placeholder]`` (placeholder). */
export function translate(root) {
  root.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n);
  });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  });
}

export function number(value, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

export function percent(value) {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(value);
}

function toDate(value) {
  return value instanceof Date ? value : new Date(value);
}

export function time(value, timeZone) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone }).format(toDate(value));
}

export function timeSeconds(value, timeZone) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone }).format(toDate(value));
}

export function dateLong(value, timeZone) {
  return new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone }).format(toDate(value));
}

/** Day, month and time of ``value`` in ``timeZone``; with the year when it is not the year of
 * ``today`` (the wall clock), as for a replayed day: "26 Nov 2022, 14:59". */
export function dateTime(value, timeZone, today = new Date()) {
  const date = toDate(value);
  const year = (d) => new Intl.DateTimeFormat("en-CA", { year: "numeric", timeZone }).format(d);
  const options = { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone };
  if (year(date) !== year(today)) options.year = "numeric";
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** The calendar date (YYYY-MM-DD) of ``value`` in ``timeZone``. */
export function isoDate(value, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone }).formatToParts(toDate(value));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** "in 1 h 05 min" / "12 min ago", in words of the language. */
export function countdown(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const span = hours > 0 ? t("time.hours_minutes", { h: hours, m: rest }) : t("time.minutes", { m: rest });
  return ms >= 0 ? t("time.in", { span }) : t("time.ago", { span });
}
