// The meeting assistant on the meeting page: the minutes (written by a job on the server, followed
// live) and questions about the meeting. Every claim shows its evidence: links to the transcript spans
// it rests on, which seek the audio there and highlight those segments.
import { api, followJob, minutesUrl } from "./api.js";
import { formatTime, h } from "./dom.js";
import { describeError } from "./errors.js";
import { jobProgress } from "./status.js";

const DOWNLOADS = ["md", "docx"];

/**
 * The panel; `onEvidence(span)` is called with {start, end, segment_ids} when an evidence link is used.
 * `update(version, speakers)` tells it the transcript's latest version and speakers (call it whenever
 * the transcript changes); `stop()` ends what it follows.
 */
export function createMinutesPanel(meetingId, { onEvidence }) {
  const follows = new Map(); // job id -> stop following it
  let version = null;
  let speakers = new Map();
  let minutes = null; // the last GET /minutes answer
  let started = false;

  const body = h("div", { class: "minutes-body", "aria-live": "polite" });
  const questionList = h("ol", { class: "questions" });
  const questionBox = h("input", {
    id: "question",
    type: "text",
    maxlength: 500,
    required: true,
    autocomplete: "off",
    i18nAttrs: { placeholder: "questions.placeholder" },
  });
  const askError = h("p", { class: "error", role: "alert", hidden: true });
  const askForm = h(
    "form",
    { class: "ask row", onsubmit: ask },
    h("label", { for: "question", class: "visually-hidden", i18n: "questions.label" }),
    questionBox,
    h("button", { class: "button primary", i18n: "questions.ask" }),
  );
  const el = h(
    "section",
    { class: "card minutes", "aria-labelledby": "minutes-title", hidden: true },
    h("h2", { id: "minutes-title", i18n: "minutes.title" }),
    body,
    h(
      "div",
      { class: "questions-part" },
      h("h3", { i18n: "questions.title" }),
      askForm,
      askError,
      questionList,
    ),
  );

  function follow(jobId, onJob) {
    if (follows.has(jobId)) return;
    const stop = followJob(jobId, (job) => {
      if (job.state === "succeeded" || job.state === "failed") follows.delete(jobId);
      onJob(job);
    });
    follows.set(jobId, stop);
  }

  // -- evidence ------------------------------------------------------------------------------------
  function who(span) {
    return (span.speakers || []).map((id) => speakers.get(id)?.name || minutes?.minutes.speakers?.[id] || id).join(", ");
  }

  function evidence(span) {
    const range = `${formatTime(span.start)}–${formatTime(span.end)}`;
    const names = who(span);
    return h("button", {
      type: "button",
      class: "link evidence-link num",
      text: names ? `${range} · ${names}` : range,
      dataset: { start: span.start, end: span.end },
      i18nAttrs: { title: "minutes.evidence" },
      i18nVars: { start: formatTime(span.start), end: formatTime(span.end) },
      onclick: () => onEvidence(span),
    });
  }

  const evidenceLinks = (spans) => h("span", { class: "evidence-links" }, spans.map(evidence));

  // -- the minutes ---------------------------------------------------------------------------------
  function section(key, items, line) {
    return h(
      "section",
      { class: "minutes-part" },
      h("h3", { i18n: key }),
      items.length ? h("ul", {}, items.map((item) => h("li", {}, ...line(item)))) : h("p", { class: "hint", i18n: "minutes.none" }),
    );
  }

  function grounding(report) {
    if (!report.proposed) return h("p", { class: "hint grounding", i18n: "minutes.grounding.none" });
    const dropped = report.rejected.length;
    const reasons = Object.entries(report.dropped_by_reason || {}).map(([reason, n]) => `${n} × ${reason}`).join(", ");
    return h(
      "p",
      { class: `grounding ${dropped ? "warn" : "hint"}` },
      h("span", { i18n: "minutes.grounding", i18nVars: { kept: report.kept, proposed: report.proposed, dropped } }),
      reasons ? h("span", { class: "detail", lang: "en", text: ` (${reasons})` }) : null,
    );
  }

  function renderMinutes() {
    const m = minutes.minutes;
    const older = minutes.transcript_version < version;
    const writing = minutes.job && ["queued", "running"].includes(minutes.job.state);
    const parts = [
      h(
        "p",
        { class: older ? "made-from warn" : "made-from hint" },
        h("span", {
          i18n: older ? "minutes.older" : "minutes.from",
          i18nVars: { version: minutes.transcript_version, latest: version },
        }),
        m.llm ? h("span", { class: "hint", text: ` · ${m.llm}` }) : null,
      ),
      minutes.job?.state === "failed" && minutes.job.id !== minutes.job_id
        ? h("p", { class: "error" }, h("span", { i18n: "minutes.failed" }), " ", h("span", { class: "detail", lang: "en", text: minutes.job.error || "" }))
        : null,
      m.title ? h("h3", { class: "minutes-heading", text: m.title }) : null,
      m.notice ? h("p", { class: "hint notice", lang: "en", text: m.notice }) : null,
    ];
    if (m.key_passages.length) {
      parts.push(
        h("p", { class: "warn", i18n: "minutes.extractive" }),
        section("minutes.passages", m.key_passages, (p) => [p.text, " ", evidenceLinks([p.span])]),
      );
    } else {
      parts.push(
        h("p", { class: "summary", text: m.summary }),
        section("minutes.topics", m.topics, (t) => [
          evidence({ start: t.start, end: t.end, segment_ids: t.segment_ids, speakers: [] }),
          " ",
          h("span", { text: t.title }),
        ]),
        section("minutes.decisions", m.decisions, (p) => [p.text, " ", evidenceLinks(p.spans)]),
        section("minutes.actions", m.action_items, (a) => [
          h("strong", a.owner ? { text: a.owner } : { i18n: "minutes.unassigned" }),
          h("span", { i18n: "minutes.colon" }),
          a.task,
          a.due ? h("span", { class: "due", i18n: "minutes.due", i18nVars: { due: a.due } }) : null,
          " ",
          evidenceLinks(a.spans),
        ]),
        section("minutes.questions", m.open_questions, (p) => [p.text, " ", evidenceLinks(p.spans)]),
      );
    }
    parts.push(
      grounding(m.grounding),
      h(
        "div",
        { class: "row minutes-actions" },
        h("span", { class: "hint", i18n: "minutes.download" }),
        DOWNLOADS.map((format) =>
          h("a", { class: "button small", href: minutesUrl(meetingId, format), download: "", dataset: { format }, i18n: `format.${format}` }),
        ),
        h("span", { class: "spacer" }),
        writing ? null : writeButton("minutes.rewrite", "button small"),
      ),
    );
    body.replaceChildren(...parts.filter(Boolean));
    if (writing) follow(minutes.job.id, showJob);
  }

  function writeButton(key = "minutes.write", style = "button primary") {
    return h("button", { type: "button", class: style, i18n: key, onclick: write });
  }

  function showIntro(error) {
    const problem = error ? [h("p", { class: "error", role: "alert" }, ...error)] : [];
    body.replaceChildren(h("p", { class: "hint", i18n: "minutes.intro" }), ...problem, writeButton());
  }

  function showJob(job) {
    if (job.state === "succeeded") return load();
    if (job.state === "failed") {
      return showIntro([h("span", { i18n: "minutes.failed" }), " ", h("span", { class: "detail", lang: "en", text: job.error || "" })]);
    }
    const progress = jobProgress(job);
    body.replaceChildren(
      h("p", { id: "minutes-job", i18n: progress.key, i18nVars: progress.vars }),
      h("progress", { max: 1, value: progress.value, "aria-labelledby": "minutes-job" }),
      h("p", { class: "hint", i18n: "job.hint" }),
    );
  }

  async function write(event) {
    event.target.disabled = true;
    try {
      const { data: job } = await api.writeMinutes(meetingId);
      showJob(job);
      follow(job.id, showJob);
    } catch (error) {
      showIntro(describeError(error, "minutes"));
    }
  }

  async function load() {
    try {
      minutes = (await api.minutes(meetingId)).data;
      renderMinutes();
    } catch (error) {
      minutes = null;
      if (error.job && error.type === "not_ready") {
        showJob(error.job);
        follow(error.job.id, showJob);
      } else if (error.type === "minutes_failed") {
        showIntro([h("span", { i18n: "minutes.failed" }), " ", h("span", { class: "detail", lang: "en", text: error.message })]);
      } else if (error.status === 404) showIntro();
      else showIntro(describeError(error));
    }
  }

  // -- questions -----------------------------------------------------------------------------------
  function answerView(question) {
    const item = h("li", { class: "question", dataset: { id: question.id } }, h("p", { class: "asked", text: question.question }));
    const job = question.job;
    if (job.state === "failed") {
      item.append(h("p", { class: "error" }, h("span", { i18n: "questions.failed" }), " ", h("span", { class: "detail", lang: "en", text: job.error || "" })));
    } else if (!question.answer) {
      const progress = jobProgress(job);
      item.append(h("p", { class: "hint pending", i18n: progress.key, i18nVars: progress.vars }));
    } else if (question.answer.found) {
      item.append(h("p", { class: "answer" }, question.answer.answer, " ", evidenceLinks(question.answer.spans)));
    } else {
      item.append(h("p", { class: "answer not-said", i18n: "questions.notsaid" }));
      if (question.answer.notice) item.append(h("p", { class: "hint", lang: "en", text: question.answer.notice }));
      if (!question.answer.llm && question.answer.passages.length) {
        item.append(h("p", { class: "hint" }, h("span", { i18n: "questions.closest" }), " ", evidenceLinks(question.answer.passages.map((p) => p.span))));
      }
    }
    return item;
  }

  function showQuestion(question) {
    const view = answerView(question);
    const old = questionList.querySelector(`[data-id="${question.id}"]`);
    if (old) old.replaceWith(view);
    else questionList.prepend(view);
    if (!question.answer && !["failed", "succeeded"].includes(question.job.state)) {
      follow(question.job.id, async (job) => {
        if (job.state === "succeeded") showQuestion((await api.question(meetingId, question.id)).data);
        else showQuestion({ ...question, job });
      });
    }
  }

  async function ask(event) {
    event.preventDefault();
    askError.hidden = true;
    const text = questionBox.value.trim();
    if (!text) return questionBox.focus();
    askForm.inert = true;
    try {
      const { data } = await api.ask(meetingId, text);
      questionBox.value = "";
      showQuestion(data);
    } catch (error) {
      askError.replaceChildren(...describeError(error, "question"));
      askError.hidden = false;
    } finally {
      askForm.inert = false;
      questionBox.focus();
    }
  }

  async function loadQuestions() {
    try {
      for (const question of (await api.questions(meetingId)).data) showQuestion(question);
    } catch (error) {
      askError.replaceChildren(...describeError(error));
      askError.hidden = false;
    }
  }

  return {
    el,
    update(latestVersion, speakerInfo) {
      version = latestVersion;
      speakers = speakerInfo;
      el.hidden = false;
      if (!started) {
        started = true;
        load();
        loadQuestions();
      } else if (minutes) renderMinutes();
    },
    stop() {
      for (const stop of follows.values()) stop();
      follows.clear();
    },
  };
}
