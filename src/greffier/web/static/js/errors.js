// What went wrong, in words a person understands, in their language; the server's own sentence
// (problem and fix, in English) follows when it adds something.
import { h } from "./dom.js";

const BY_TYPE = {
  offline: "error.offline",
  request_too_large: "error.toolarge",
  unsupported_media: "error.notaudio",
  empty_file: "error.empty",
  version_conflict: "error.conflict",
  not_found: "error.notfound",
  permission_denied: "error.forbidden",
  transcription_failed: "error.failed",
  minutes_failed: "minutes.failed",
  not_ready: "error.notready",
  cross_site_request: "error.crosssite",
  too_many_attempts: "error.attempts",
  invalid_edit: "error.invalid",
  invalid_request_error: "error.invalid",
};
const DETAILED = new Set(["error.notaudio", "error.failed", "error.invalid", "error.generic", "minutes.failed"]);

export function errorKey(error, context) {
  if (error.status === 429) return "error.attempts";
  if (error.status === 401) return context === "signin" ? "error.signin" : "error.signedout";
  if (error.status === 413) return "error.toolarge";
  return BY_TYPE[error.type] || (error.status >= 500 ? "error.server" : "error.generic");
}

/** Nodes for an error paragraph: a translated lead sentence, and the server's detail when useful. */
export function describeError(error, context = "", vars = {}) {
  const key = errorKey(error, context);
  const nodes = [h("span", { i18n: key, i18nVars: vars })];
  if (DETAILED.has(key) && error.message && error.message !== "offline") {
    nodes.push(" ", h("span", { class: "detail", lang: "en", text: error.message }));
  }
  return nodes;
}

/** The same for a job that failed: its recorded reason. */
export function describeJobFailure(job) {
  return [
    h("span", { i18n: "error.failed" }),
    " ",
    h("span", { class: "detail", lang: "en", text: job.error || "" }),
  ];
}
