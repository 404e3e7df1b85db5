// A meeting's status and its job's progress, as words and bars.
import { h } from "./dom.js";

const STAGES = new Set(["decode", "vad", "asr", "diarize", "minutes", "answer"]);

/** What a job's bar and label show: {value 0..1, key, vars}. */
export function jobProgress(job) {
  const percent = Math.round((job.progress || 0) * 100);
  if (job.state === "succeeded") return { value: 1, key: "status.done", vars: {} };
  if (job.state === "failed") return { value: job.progress || 0, key: "status.failed", vars: {} };
  if (job.state === "queued") {
    return { value: 0, key: job.attempts ? "status.requeued" : "status.queued", vars: {} };
  }
  const name = (job.stage || "").split(":")[0]; // "minutes: reading" is a step of "minutes"
  const stage = STAGES.has(name) ? `stage.${name}` : "stage.starting";
  return { value: job.progress || 0, key: "status.running", vars: { stage: `@${stage}`, percent }, stage };
}

/** A small badge: the status in words, with the live progress while the job runs. */
export function statusBadge(status, job) {
  const badge = h("span", { class: `badge ${status}`, i18n: `status.${status}` });
  if (status !== "running" || !job) return badge;
  const view = jobProgress(job);
  return h(
    "span",
    { class: "badge-progress" },
    badge,
    h("progress", { max: 1, value: view.value, "aria-hidden": "true" }),
    h("span", { class: "hint", i18n: view.stage }),
    h("span", { class: "hint num", text: `${view.vars.percent} %` }),
  );
}
