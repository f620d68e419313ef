// Time charts in SVG: what happened so far (solid), the forecast ahead (dashed), a target line
// and the present moment. Axis labels come formatted from the caller (locale, time zone).

import { s } from "./dom.js";

/**
 * ``actual`` and ``forecast`` are [{at: Date|string, value}], ``target`` a value or null,
 * ``now`` a Date; ``formatTime(date)`` and ``formatValue(v)`` label the axes.
 */
export function lineChart({ actual = [], forecast = [], target = null, now = null, formatTime, formatValue, label, width = 360, height = 150 }) {
  const m = { left: 40, right: 10, top: 10, bottom: 22 };
  const pts = [...actual, ...forecast].map((p) => ({ t: new Date(p.at).getTime(), v: p.value }));
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label, dir: "ltr" });
  if (!pts.length) {
    svg.append(s("text", { x: width / 2, y: height / 2, class: "empty", "text-anchor": "middle" }, "—"));
    return svg;
  }
  let t0 = Math.min(...pts.map((p) => p.t));
  let t1 = Math.max(...pts.map((p) => p.t));
  if (now) { t0 = Math.min(t0, now.getTime()); t1 = Math.max(t1, now.getTime()); }
  if (t1 === t0) t1 = t0 + 60000;
  const vmax = Math.max(1, target || 0, ...pts.map((p) => p.v)) * 1.1;
  const x = (t) => m.left + ((t - t0) / (t1 - t0)) * (width - m.left - m.right);
  const y = (v) => height - m.bottom - (v / vmax) * (height - m.top - m.bottom);
  svg.append(s("line", { x1: m.left, y1: y(0), x2: width - m.right, y2: y(0), class: "axis" }));
  svg.append(s("line", { x1: m.left, y1: m.top, x2: m.left, y2: y(0), class: "axis" }));
  for (const v of [0, vmax / 2, vmax / 1.1]) {
    svg.append(s("text", { x: m.left - 4, y: y(v) + 3, class: "tick", "text-anchor": "end" }, formatValue(v)));
  }
  [["start", t0], ["middle", (t0 + t1) / 2], ["end", t1]].forEach(([anchor, t]) => {
    svg.append(s("text", { x: x(t), y: height - 6, class: "tick", "text-anchor": anchor }, formatTime(new Date(t))));
  });
  if (target !== null && target !== undefined) {
    svg.append(s("line", { x1: m.left, y1: y(target), x2: width - m.right, y2: y(target), class: "target" }));
  }
  const path = (series) => series.map((p, i) => `${i ? "L" : "M"}${x(new Date(p.at).getTime()).toFixed(1)},${y(p.value).toFixed(1)}`).join("");
  if (actual.length) svg.append(s("path", { d: path(actual), class: "actual" }));
  if (forecast.length) svg.append(s("path", { d: path(forecast), class: "forecast" }));
  if (now) {
    svg.append(s("line", { x1: x(now.getTime()), y1: m.top, x2: x(now.getTime()), y2: y(0), class: "now" }));
  }
  return svg;
}

/** Bars (e.g. inflow per minute): [{at, value}]. */
export function barChart({ bars, formatTime, formatValue, label, width = 360, height = 120 }) {
  const m = { left: 40, right: 10, top: 8, bottom: 22 };
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label, dir: "ltr" });
  if (!bars.length) return svg;
  const vmax = Math.max(1, ...bars.map((b) => b.value));
  const bw = (width - m.left - m.right) / bars.length;
  const y = (v) => height - m.bottom - (v / vmax) * (height - m.top - m.bottom);
  bars.forEach((b, i) => {
    svg.append(s("rect", { x: m.left + i * bw + 1, y: y(b.value), width: Math.max(1, bw - 2), height: y(0) - y(b.value), class: "bar" },
      s("title", {}, `${formatTime(new Date(b.at))}: ${formatValue(b.value)}`)));
  });
  svg.append(s("text", { x: m.left - 4, y: y(vmax) + 3, class: "tick", "text-anchor": "end" }, formatValue(vmax)));
  svg.append(s("text", { x: m.left, y: height - 6, class: "tick" }, formatTime(new Date(bars[0].at))));
  svg.append(s("text", { x: width - m.right, y: height - 6, class: "tick", "text-anchor": "end" }, formatTime(new Date(bars[bars.length - 1].at))));
  return svg;
}
