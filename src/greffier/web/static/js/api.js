// The only module that talks to the server. The sign-in is an HttpOnly cookie, sent by the browser
// with every request (fetch, XHR, EventSource, <audio>, download links): no token in scripts.

/** An error answer from the API: {error: {type, message, fix, param}} with its HTTP status. */
export class ApiError extends Error {
  constructor(status, error = {}, job = null) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.type = error.type || "http_error";
    this.fix = error.fix || null;
    this.param = error.param || null;
    this.job = job; // the job producing what was asked for, when the answer names one
  }
}

/** The server could not be reached at all. */
export class OfflineError extends Error {
  constructor() {
    super("offline");
    this.type = "offline";
  }
}

function signal(name, detail) {
  document.dispatchEvent(new CustomEvent(name, { detail }));
}

async function errorOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return new ApiError(response.status, body.error || {}, body.job || null);
}

/** fetch + JSON; `json` is sent as the body; resolves to {data, etag}. */
export async function request(path, { method = "GET", json, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    signal("greffier:offline");
    throw new OfflineError();
  }
  signal("greffier:online");
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && path !== "/api/session") signal("greffier:signedout");
    throw error;
  }
  const data = response.status === 204 ? null : await response.json();
  return { data, etag: response.headers.get("ETag") };
}

export const api = {
  session: () => request("/api/session"),
  signIn: (credentials) => request("/api/session", { method: "POST", json: credentials }),
  signOut: () => request("/api/session", { method: "DELETE" }),
  meetings: (params) => request(`/api/meetings?${new URLSearchParams(params)}`),
  meeting: (id) => request(`/api/meetings/${id}`),
  search: (params) => request(`/api/search?${new URLSearchParams(params)}`),
  deleteMeeting: (id) => request(`/api/meetings/${id}`, { method: "DELETE" }),
  transcript: (id, version) =>
    request(`/api/meetings/${id}/transcript${version ? `?version=${version}` : ""}`),
  versions: (id) => request(`/api/meetings/${id}/transcript/versions`),
  correct: (id, etag, edits) =>
    request(`/api/meetings/${id}/transcript`, { method: "PATCH", json: edits, headers: { "If-Match": etag } }),
  replace: (id, etag, transcript) =>
    request(`/api/meetings/${id}/transcript`, {
      method: "PUT",
      json: transcript,
      headers: { "If-Match": etag },
    }),
  health: () => request("/health"),
  minutes: (id) => request(`/api/meetings/${id}/minutes`),
  writeMinutes: (id) => request(`/api/meetings/${id}/minutes`, { method: "POST" }),
  questions: (id) => request(`/api/meetings/${id}/questions`),
  question: (id, questionId) => request(`/api/meetings/${id}/questions/${questionId}`),
  ask: (id, question) => request(`/api/meetings/${id}/questions`, { method: "POST", json: { question } }),
};

export const audioUrl = (id) => `/api/meetings/${id}/audio`;
export const exportUrl = (id, format) => `/api/meetings/${id}/exports/${format}`;
export const minutesUrl = (id, format) => `/api/meetings/${id}/minutes/${format}`;

/**
 * Upload a recording with progress (fetch cannot report upload progress: XMLHttpRequest can).
 * Returns {promise, abort}; the promise resolves to the new meeting (with its job).
 */
export function uploadRecording(file, fields, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    const form = new FormData();
    form.append("file", file, file.name);
    for (const [key, value] of Object.entries(fields)) {
      if (value !== null && value !== undefined && value !== "") form.append(key, String(value));
    }
    xhr.open("POST", "/api/meetings");
    xhr.responseType = "json";
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status === 202) resolve(xhr.response);
      else reject(new ApiError(xhr.status, (xhr.response && xhr.response.error) || {}));
    });
    xhr.addEventListener("error", () => reject(new OfflineError()));
    xhr.addEventListener("abort", () => reject(new ApiError(0, { type: "aborted" })));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/**
 * Follow a job as it runs (server-sent events); `onJob(job)` on each change, `onGone()` when its
 * meeting was deleted. Returns a function that stops following.
 */
export function followJob(jobId, onJob, onGone = () => {}) {
  const source = new EventSource(`/api/jobs/${jobId}/events`);
  source.addEventListener("job", (event) => {
    const job = JSON.parse(event.data);
    signal("greffier:online");
    onJob(job);
    if (job.state === "succeeded" || job.state === "failed") source.close();
  });
  source.addEventListener("gone", () => {
    source.close();
    onGone();
  });
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) signal("greffier:offline");
  });
  return () => source.close();
}
