// The map: the bundled country outline and the venues, units and incidents on it, in SVG.
// Equirectangular projection around the middle latitude: enough for a country the size of Qatar.

import { s } from "./dom.js";

let outline = null;

export async function loadOutline() {
  if (!outline) {
    const response = await fetch("/static/geo/qatar.geojson");
    outline = await response.json();
  }
  return outline;
}

function rings(geojson) {
  const out = [];
  for (const feature of geojson.features || []) {
    const g = feature.geometry;
    if (g.type === "Polygon") out.push(...g.coordinates);
    if (g.type === "MultiPolygon") g.coordinates.forEach((p) => out.push(...p));
  }
  return out;
}

// The deployment's area: the box around the venues widened by this margin on every side, as the
// server's AREA_MARGIN_M (opsroom.ops.geo), which refuses positions outside it. A position left
// from before that check (or typed straight into the database) neither moves the frame nor is drawn.
export const AREA_MARGIN_KM = 50;
const KM_PER_DEGREE = (6371 * Math.PI) / 180;

/** The venues' box widened by AREA_MARGIN_KM, or null without venues. */
export function deploymentArea(venues) {
  if (!venues.length) return null;
  const b = bounds(venues.map((v) => [v.lon, v.lat]));
  const dLat = AREA_MARGIN_KM / KM_PER_DEGREE;
  const south = b.south - dLat;
  const north = b.north + dLat;
  const widest = Math.max(Math.abs(south), Math.abs(north));
  const dLon = dLat / Math.max(Math.cos(widest * (Math.PI / 180)), 1e-6);
  return { south, north, west: b.west - dLon, east: b.east + dLon };
}

export function inArea(area, p) {
  return !area || (p.lat >= area.south && p.lat <= area.north && p.lon >= area.west && p.lon <= area.east);
}

function bounds(points) {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  return { west: Math.min(...lons), east: Math.max(...lons), south: Math.min(...lats), north: Math.max(...lats) };
}

/**
 * Draw into a new <svg>: ``points`` are {lon, lat, kind, level|status|priority, label, id, onclick}.
 * ``fit`` is "country" (the whole outline) or "points" (the points, padded). Points outside the
 * deployment's area (see deploymentArea, from the venues among ``points``) are left out.
 */
export function drawMap({ points: given, fit = "country", focus = null, width = 520, height = 560, title = "", padShare = 0.15 }) {
  const area = deploymentArea(given.filter((p) => p.kind === "venue"));
  const points = given.filter((p) => inArea(area, p));
  const shape = outline ? rings(outline) : [];
  const all = shape.flat();
  const inside = (focus || []).filter((p) => inArea(area, p));
  const framed = (inside.length ? inside : points).map((p) => [p.lon, p.lat]);
  const frame = fit === "points" && framed.length ? framed : all.length ? all : framed;
  const b = bounds(frame.length ? frame : [[0, 0]]);
  const pad = fit === "points" ? 0.01 + padShare * Math.max(b.east - b.west, b.north - b.south) : 0.05;
  b.west -= pad; b.east += pad; b.south -= pad; b.north += pad;
  const k = Math.cos(((b.north + b.south) / 2) * (Math.PI / 180));
  const scale = Math.min(width / ((b.east - b.west) * k), height / (b.north - b.south));
  const x = (lon) => (lon - b.west) * k * scale;
  const y = (lat) => (b.north - lat) * scale;
  const w = (b.east - b.west) * k * scale;
  const hgt = (b.north - b.south) * scale;
  const svg = s("svg", { viewBox: `0 0 ${w.toFixed(1)} ${hgt.toFixed(1)}`, class: "map", role: "img", "aria-label": title });
  svg.append(s("rect", { x: 0, y: 0, width: w, height: hgt, class: "sea" }));
  for (const ring of shape) {
    const d = ring.map(([lon, lat], i) => `${i ? "L" : "M"}${x(lon).toFixed(1)},${y(lat).toFixed(1)}`).join("") + "Z";
    svg.append(s("path", { d, class: "land" }));
  }
  const unitSize = Math.max(6, w / 90);
  for (const p of points) {
    const cx = x(p.lon);
    const cy = y(p.lat);
    let mark;
    if (p.kind === "venue") {
      const r = Math.max(6, w / 70) * (p.size || 1);
      // Labels point inwards so that none leaves the map.
      const east = cx > w * 0.55;
      mark = s("g", { class: `venue level-${p.level || "none"}`, "data-venue": p.id, tabindex: 0, role: "link" },
        s("title", {}, p.tooltip || p.label),
        s("circle", { cx, cy, r }),
        s("text", { x: east ? cx - r - 3 : cx + r + 3, y: cy + 4, class: "label", "text-anchor": east ? "end" : "start" }, p.label));
    } else if (p.kind === "unit") {
      mark = s("g", { class: `unit unit-${p.status}`, "data-unit": p.id },
        s("title", {}, p.tooltip || p.label),
        s("rect", { x: cx - unitSize / 2, y: cy - unitSize / 2, width: unitSize, height: unitSize }));
    } else {
      const r = unitSize;
      mark = s("g", { class: `incident priority-${p.priority}`, "data-incident": p.id },
        s("title", {}, p.tooltip || p.label),
        s("path", { d: `M${cx},${cy - r}L${cx + r},${cy + r * 0.8}L${cx - r},${cy + r * 0.8}Z` }));
    }
    if (p.onclick) {
      mark.style.cursor = "pointer";
      mark.addEventListener("click", p.onclick);
      mark.addEventListener("keydown", (e) => { if (e.key === "Enter") p.onclick(); });
    }
    svg.append(mark);
  }
  return svg;
}
