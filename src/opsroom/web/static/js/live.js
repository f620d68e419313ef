// Live updates: the API's server-sent events, reconnecting after a server restart.

import { token } from "./api.js";

const handlers = new Map();
let source = null;
let retryMs = 1000;
let timer = null;
let statusListener = () => {};

export function on(kind, handler) {
  if (!handlers.has(kind)) handlers.set(kind, new Set());
  handlers.get(kind).add(handler);
  return () => handlers.get(kind).delete(handler);
}

function emit(kind, data) {
  (handlers.get(kind) || []).forEach((handler) => {
    try {
      handler(data);
    } catch (error) {
      console.warn(`handler for ${kind} failed`, error);
    }
  });
}

export function onStatus(listener) {
  statusListener = listener;
}

const KINDS = ["incident", "unit", "gate_flow", "crowd_alert", "screening_alert"];

export function connect() {
  disconnect();
  const current = token();
  if (!current) return;
  statusListener("connecting");
  source = new EventSource(`/api/v1/stream?access_token=${encodeURIComponent(current)}`);
  source.onopen = () => {
    retryMs = 1000;
    statusListener("live");
    // Whatever happened while the stream was closed: views reload their data.
    emit("open", null);
  };
  for (const kind of KINDS) {
    source.addEventListener(kind, (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      emit(kind, data);
    });
  }
  // The server ends the stream when the token or user stops being valid: stop reconnecting.
  source.addEventListener("closed", (event) => {
    let data = {};
    try {
      data = JSON.parse(event.data);
    } catch {
      /* the reason is optional */
    }
    disconnect();
    emit("closed", data);
  });
  source.onerror = () => {
    statusListener("offline");
    if (source && source.readyState === EventSource.CLOSED) {
      // The browser gave up (e.g. the server answered with an error while restarting): retry.
      source = null;
      timer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    }
  };
}

export function disconnect() {
  if (timer) clearTimeout(timer);
  timer = null;
  if (source) source.close();
  source = null;
  statusListener("off");
}
