// What the page knows: the user, the venues, their status; shared by the views.

import { api } from "./api.js";
import { observe } from "./clock.js";

export const state = {
  me: null,
  venues: [],
  venueById: new Map(),
  details: new Map(),
  status: new Map(),
  history: new Map(),
  matches: null,
};

const ROLE_PERMISSIONS = {
  commander: ["read_state", "read_operations", "post_scans", "manage_incidents", "read_intelligence", "manage_intelligence", "read_audit"],
  operator: ["read_state", "read_operations", "post_scans", "manage_incidents"],
  analyst: ["read_state", "read_operations", "read_intelligence", "manage_intelligence"],
  gate: ["read_state", "post_scans"],
  viewer: ["read_state", "read_operations"],
};

/** Whether the signed-in user may ``permission`` (from /me, else from the role's table). */
export function can(permission) {
  const me = state.me;
  if (!me) return false;
  const granted = Array.isArray(me.permissions) && me.permissions.length ? me.permissions : ROLE_PERMISSIONS[me.role] || [];
  return granted.includes(permission);
}

export async function loadMe() {
  state.me = await api.get("/api/v1/me");
  return state.me;
}

export async function loadVenues() {
  const venues = await api.get("/api/v1/venues");
  state.venues = venues;
  state.venueById = new Map(venues.map((v) => [v.id, v]));
  return venues;
}

export function venueZone(venueId) {
  const venue = state.venueById.get(venueId);
  return (venue && venue.timezone) || (state.venues[0] && state.venues[0].timezone) || undefined;
}

export function homeZone() {
  return state.venues[0] ? state.venues[0].timezone : undefined;
}

export async function loadDetail(venueId) {
  if (!state.details.has(venueId)) {
    state.details.set(venueId, await api.get(`/api/v1/venues/${encodeURIComponent(venueId)}`));
  }
  return state.details.get(venueId);
}

/** Keep a venue's status and append its checkpoints' queue and wait to their history. */
export function rememberStatus(incoming) {
  if (!incoming || !incoming.venue_id) return;
  let status = incoming;
  const previous = state.status.get(status.venue_id);
  // Between two nowcasts the stream sends flow without one: keep the last for the same match.
  if (!status.nowcast && previous && previous.nowcast && previous.match_id === status.match_id) {
    status = { ...status, nowcast: previous.nowcast, alert_level: previous.alert_level };
  }
  state.status.set(status.venue_id, status);
  // A venue without scans reports the server's own time; only scans move the clock.
  if (status.last_scan_at !== undefined) {
    observe(status.last_scan_at);
  } else if (status.occupancy > 0 || (status.inflow_per_minute || []).some((m) => m.count > 0)) {
    observe(status.as_of);
  }
  // The history takes only fresh nowcasts, not the one kept from before.
  const checkpoints = (incoming.nowcast && incoming.nowcast.checkpoints) || [];
  const history = state.history.get(status.venue_id) || new Map();
  for (const c of checkpoints) {
    const id = checkpointId(c);
    const series = history.get(id) || [];
    const at = status.as_of;
    if (!series.length || new Date(series[series.length - 1].at) < new Date(at)) {
      series.push({ at, queue: queueOf(c), wait: waitOf(c) });
      if (series.length > 2000) series.shift();
    }
    history.set(id, series);
  }
  state.history.set(status.venue_id, history);
}

/** Add a past status (``?at=``) to the checkpoints' history, in time order. */
export function addHistory(status) {
  const checkpoints = (status && status.nowcast && status.nowcast.checkpoints) || [];
  const history = state.history.get(status.venue_id) || new Map();
  for (const c of checkpoints) {
    const id = checkpointId(c);
    const series = (history.get(id) || []).filter((p) => p.at !== status.as_of);
    series.push({ at: status.as_of, queue: queueOf(c), wait: waitOf(c) });
    series.sort((a, b) => new Date(a.at) - new Date(b.at));
    history.set(id, series);
  }
  state.history.set(status.venue_id, history);
}

export async function loadStatus(venueId) {
  const status = await api.get(`/api/v1/venues/${encodeURIComponent(venueId)}/status`);
  rememberStatus(status);
  return status;
}

export function checkpointId(c) {
  return c.id ?? c.checkpoint_id;
}

export function queueOf(c) {
  return c.queue ?? c.queue_now ?? 0;
}

export function waitOf(c) {
  return c.wait_minutes ?? c.wait_now_min ?? 0;
}

export const LEVELS = ["none", "watch", "warning", "critical"];

export function worse(a, b) {
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}
