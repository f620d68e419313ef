// Small helpers shared by the views.

/** Run ``fn`` at most once per ``ms`` (the last call wins), for bursts of live events. */
export function throttle(fn, ms) {
  let timer = null;
  let pending = [];
  return (...args) => {
    pending = args;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn(...pending);
    }, ms);
  };
}

/** Alerts of a venue status, whatever the server names their list. */
export function crowdAlerts(status) {
  return (status && status.nowcast && status.nowcast.alerts) || [];
}

export const PRIORITIES = [1, 2, 3, 4];
export const INCIDENT_TYPES = ["medical", "crowd", "suspicious_object", "disorder", "lost_child", "fire", "other"];
export const CAPABILITIES = ["", "medical", "crowd", "eod", "patrol", "arrest", "first_aid"];
export const LIFECYCLE = ["reported", "acknowledged", "dispatched", "on_scene", "resolved", "closed"];

/** The statuses an incident may move to next (the lifecycle is a straight line). */
export function nextStatuses(status) {
  const i = LIFECYCLE.indexOf(status);
  return i >= 0 && i < LIFECYCLE.length - 1 ? [LIFECYCLE[i + 1]] : [];
}
