// The page's only way to the server: /api/v1 with the bearer token kept for this tab.

const TOKEN_KEY = "opsroom.token";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }

  get problems() {
    return Array.isArray(this.body.problems) ? this.body.problems : [];
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const listeners = new Set();
/** Called with no argument when the server says the token is no longer valid (401). */
export function onUnauthorized(listener) {
  listeners.add(listener);
}

export async function request(method, path, { body, form, query } = {}) {
  const headers = { Accept: "application/json" };
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  let payload;
  if (form) {
    payload = new URLSearchParams(form);
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") params.set(key, value);
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  const response = await fetch(url, { method, headers, body: payload });
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401 && current && !path.endsWith("/auth/token")) {
      setToken(null);
      listeners.forEach((listener) => listener());
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export const api = {
  get: (path, query) => request("GET", path, { query }),
  post: (path, body) => request("POST", path, { body }),
  patch: (path, body) => request("PATCH", path, { body }),
  async login(username, password) {
    const answer = await request("POST", "/api/v1/auth/token", { form: { username, password } });
    setToken(answer.access_token);
    return answer;
  },
  async logout() {
    try {
      await request("POST", "/api/v1/auth/logout");
    } finally {
      setToken(null);
    }
  },
};
