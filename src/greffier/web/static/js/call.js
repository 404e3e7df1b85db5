// The regulator's page: a call from the microphone (MediaRecorder → /ws/call) or a recording's case
// form; the transcript beside the form; changed fields lit; every value with the words it comes
// from (a click shows them in the transcript); red flags at once, at the top; the suggested priority.
import "./call-messages.js";
import { api, audioUrl, followJob, request } from "./api.js";
import { formatTime, h, setI18n } from "./dom.js";
import { describeError } from "./errors.js";
import { lang, t } from "./i18n.js";
import { MESSAGES } from "./messages.js";
import { createPlayer } from "./player.js";

const GROUPS = [
  ["caller", ["caller.type", "caller.relation", "caller.callback_number", "caller.language", "caller.communication"]],
  ["location", ["location.address", "location.city", "location.floor", "location.door_code", "location.intercom", "location.access", "location.kind"]],
  ["what", ["what_happened", "health_motive", "risks"]],
  ["patient", ["patient.age", "patient.sex", "patient.weight", "patient.history", "patient.treatments"]],
  ["vitals", ["vitals.consciousness", "vitals.breathing", "vitals.bleeding", "vitals.pain", "vitals.pain_score"]],
];
const LIT_MS = 4000; // a changed field stays lit this long
const AGE_UNITS = { fr: { Y: "ans", M: "mois", W: "semaines", D: "jours" }, en: { Y: "years", M: "months", W: "weeks", D: "days" } };

/** The page of a path, or null: /calls (a live call), /meetings/ID/call (a recording's form). */
export function callRoute(path) {
  if (path === "/calls") return { live: true };
  const match = path.match(/^\/meetings\/([0-9a-f-]{36})\/call$/);
  return match ? { meetingId: match[1] } : null;
}

export function renderCallPage(main, route) {
  if (!document.querySelector("link[data-call-css]")) {
    document.head.append(h("link", { rel: "stylesheet", href: "/static/call.css", "data-call-css": "" }));
  }
  return route.meetingId ? renderRecordingCall(main, route.meetingId) : renderLiveCall(main);
}

// -- labels in the page's language ------------------------------------------------------------------
function has(key) {
  return key in MESSAGES[lang()];
}
function fieldLabel(key, field) {
  return has(`call.field.${key}`) ? t(`call.field.${key}`) : field.label;
}
function valueLabel(key, value) {
  const age = key === "patient.age" && /^P(\d+)([YMWD])$/.exec(String(value.value));
  if (age) return `${age[1]} ${AGE_UNITS[lang()][age[2]]}`;
  const coded = `call.code.${key}.${value.value}`;
  return has(coded) ? t(coded) : value.label ?? String(value.value);
}

// -- the transcript and the form, side by side -----------------------------------------------------
export function createCallView({ onEvidence = () => {}, live = false } = {}) {
  const segments = h("div", { class: "cf-segments", "aria-live": "polite" });
  const partial = h("p", { class: "cf-partial", "aria-hidden": "true" });
  const empty = h("p", { class: "hint", i18n: "call.transcript.empty" });
  const flags = h("section", { class: "cf-flags", "aria-live": "assertive", "aria-labelledby": "cf-flags-title" });
  const suggestion = h("section", { class: "cf-suggestion" });
  const guidance = h("section", { class: "cf-guidance", "aria-live": "assertive" });
  const fields = h("div", { class: "cf-groups" });
  const el = h(
    "div",
    { class: "cf-layout" },
    h(
      "section",
      { class: "card cf-transcript", "aria-labelledby": "cf-transcript-title" },
      h("h2", { id: "cf-transcript-title", i18n: live ? "call.transcript" : "call.transcript.done" }),
      empty,
      segments,
      partial,
    ),
    h(
      "section",
      { class: "card cf-form", "aria-labelledby": "cf-form-title" },
      h("h2", { id: "cf-form-title", i18n: "call.form" }),
      flags,
      guidance,
      suggestion,
      fields,
    ),
  );
  const litAt = new Map(); // field key -> when it last changed
  let form = null;

  el.addEventListener("click", (event) => {
    const button = event.target.closest(".cf-evidence");
    if (!button) return;
    const evidence = { segment_id: Number(button.dataset.segment), start: Number(button.dataset.start) };
    highlight(evidence.segment_id);
    onEvidence(evidence);
  });

  function highlight(segmentId) {
    for (const lit of segments.querySelectorAll(".cf-seg.evidence")) lit.classList.remove("evidence");
    const line = segments.querySelector(`.cf-seg[data-id="${segmentId}"]`);
    if (!line) return;
    line.classList.add("evidence");
    line.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function addSegment(segment) {
    empty.hidden = true;
    partial.textContent = "";
    segments.append(
      h(
        "p",
        { class: "cf-seg", dataset: { id: segment.id } },
        h("span", { class: "seg-time num", text: formatTime(segment.start) }),
        segment.speaker ? h("span", { class: "cf-speaker", text: segment.speaker }) : null,
        h("span", { class: "cf-text", text: segment.text }),
      ),
    );
    if (live) segments.lastChild.scrollIntoView({ block: "nearest" });
  }

  function evidenceButton(evidence) {
    return h("button", {
      class: "link cf-evidence",
      dataset: { segment: evidence.segment_id, start: evidence.start },
      text: `« ${evidence.quote} » ${formatTime(evidence.start)}`,
      i18nAttrs: { title: "call.evidence" },
      i18nVars: { quote: evidence.quote, time: formatTime(evidence.start) },
    });
  }

  function valueView(key, value) {
    return h(
      "li",
      { class: `cf-item${value.source === "llm" ? " llm" : ""}` },
      h("span", { class: "cf-value", text: valueLabel(key, value) }),
      value.source === "llm" ? h("span", { class: "badge", i18n: "call.llm" }) : null,
      value.note ? h("span", { class: "hint cf-note", text: value.note }) : null,
      h("span", { class: "cf-evidences" }, (value.evidence || []).map(evidenceButton)),
    );
  }

  function fieldView(key) {
    const field = form.fields[key];
    const values = field.multiple ? field.items : field.value ? [field.value] : [];
    const lit = Date.now() - (litAt.get(key) || 0) < LIT_MS;
    const history = field.history.map((v) => valueLabel(key, v)).join(", ");
    return h(
      "div",
      { class: `cf-field${lit ? " changed" : ""}${values.length ? "" : " empty"}`, dataset: { key } },
      h("span", { class: "cf-label", text: fieldLabel(key, field) }),
      h(
        "div",
        { class: "cf-values" },
        values.length ? h("ul", {}, values.map((v) => valueView(key, v))) : h("span", { class: "hint", i18n: "call.empty" }),
        history ? h("span", { class: "hint cf-history", i18n: "call.history", i18nVars: { values: history } }) : null,
      ),
    );
  }

  function renderFlags() {
    const items = form.fields.red_flags.items;
    flags.classList.toggle("raised", items.length > 0);
    flags.replaceChildren(
      h("h3", { id: "cf-flags-title", i18n: "call.redflags" }),
      items.length
        ? h(
            "ul",
            { role: "alert" },
            items.map((v) =>
              h("li", { class: "cf-flag", dataset: { code: v.value } }, h("strong", { text: valueLabel("red_flags", v) }), " ", (v.evidence || []).map(evidenceButton)),
            ),
          )
        : h("p", { class: "hint", i18n: "call.redflags.none" }),
    );
  }

  function suggestionView(name, data) {
    return h(
      "div",
      { class: "cf-suggest", dataset: { name } },
      h("span", { class: "cf-label", i18n: name === "priority" ? "call.priority" : "call.care" }),
      data
        ? h("strong", { class: `cf-level level-${data.value}`, i18n: `call.${data.value}` })
        : h("span", { class: "hint", i18n: "call.nosuggestion" }),
      data && data.reasons.length
        ? h("ul", { class: "cf-reasons" }, data.reasons.map((r) => h("li", {}, r.text, " ", (r.evidence || []).slice(0, 1).map(evidenceButton))))
        : null,
    );
  }

  function render() {
    renderFlags();
    suggestion.replaceChildren(
      suggestionView("priority", form.priority),
      suggestionView("care_level", form.care_level),
      h("p", { class: "cf-disclaimer", i18n: "call.suggestion" }),
    );
    fields.replaceChildren(
      ...GROUPS.map(([group, keys]) =>
        h("div", { class: "cf-group" }, h("h3", { i18n: `call.group.${group}` }), keys.map(fieldView)),
      ),
    );
  }

  function provisionalFlag(flag) {
    // heard in a partial: shown now; the next form (once the sentence is final) confirms or drops it
    if (!flags.querySelector("h3")) flags.append(h("h3", { id: "cf-flags-title", i18n: "call.redflags" }));
    flags.querySelector("p")?.remove();
    const list = flags.querySelector("ul") || flags.appendChild(h("ul", { role: "alert" }));
    flags.classList.add("raised");
    list.append(
      h(
        "li",
        { class: "cf-flag provisional", dataset: { code: flag.code } },
        h("strong", { text: valueLabel("red_flags", { value: flag.code, label: flag.label }) }),
        " ",
        h("span", { class: "hint", i18n: "call.flag.heard", i18nVars: { quote: flag.quote } }),
      ),
    );
  }

  // the next questions, the proposed address and, when due, the telephone-CPR steps (live only)
  let cprSteps = null;
  function showCpr(steps) {
    cprSteps = steps && steps.length ? steps : null;
    guidance.querySelector(".cf-cpr")?.remove();
    if (cprSteps)
      guidance.prepend(
        h("div", { class: "cf-cpr", role: "alert" }, h("h3", { i18n: "call.cpr" }), h("ol", {}, cprSteps.map((t) => h("li", { text: t })))),
      );
  }

  function showGuidance(next, place) {
    const street = place && place.street;
    const city = place && place.city;
    const proposed = street || city;
    guidance.replaceChildren(
      proposed
        ? h(
            "p",
            { class: "cf-place" },
            h("strong", { i18n: "call.place" }),
            " ",
            [place.number, street && street.value].filter(Boolean).join(" "),
            city ? `${street ? ", " : ""}${city.value}${city.code ? ` (${city.code})` : ""}` : "",
            " ",
            h("span", {
              class: "hint",
              i18n: (street || city).to_confirm ? "call.place.confirm" : "call.place.sure",
              i18nVars: { heard: (street || city).heard, confidence: (street || city).confidence.toFixed(2) },
            }),
          )
        : "",
      next.questions.length
        ? h("div", { class: "cf-next" }, h("h3", { i18n: "call.next" }), h("ul", {}, next.questions.map((q) => h("li", { text: q.text, dataset: { key: q.key } }))))
        : "",
    );
    showCpr(next.cpr);
  }

  let settling = null;
  function settle() {
    // a final was sent: its form message (if it changed anything) follows at once; then unconfirmed
    // provisional flags go
    clearTimeout(settling);
    settling = setTimeout(() => (form ? renderFlags() : flags.replaceChildren()), 500);
  }

  let unlight = null;
  function updateForm(data, changes = [], message = null) {
    form = data;
    if (message && message.guidance) showGuidance(message.guidance, message.place);
    const now = Date.now();
    for (const change of changes) litAt.set(change.key, now);
    render();
    clearTimeout(unlight);
    unlight = setTimeout(render, LIT_MS + 50);
  }

  const relabel = () => form && render();
  document.addEventListener("languagechange", relabel);
  return {
    el,
    addSegment,
    setPartial: (text) => (partial.textContent = text || ""),
    setSegments: (list) => list.forEach(addSegment),
    updateForm,
    provisionalFlag,
    showCpr,
    settle,
    highlight,
    destroy: () => {
      clearTimeout(unlight);
      clearTimeout(settling);
      document.removeEventListener("languagechange", relabel);
    },
  };
}

// -- a live call from the microphone ---------------------------------------------------------------
function renderLiveCall(main) {
  const view = createCallView({ live: true });
  const status = h("p", { class: "cf-status", role: "status" });
  const result = h("p", { class: "cf-result", hidden: true });
  const notice = h("p", { class: "error", role: "alert", hidden: true });
  const startButton = h("button", { class: "button primary", i18n: "call.start", onclick: start });
  const stopButton = h("button", { class: "button danger", i18n: "call.stop", hidden: true, onclick: stop });
  const recent = h("section", { class: "card cf-recent", "aria-labelledby": "cf-recent-title" });
  main.append(
    h(
      "article",
      { class: "call" },
      h("h1", { i18n: "call.title" }),
      h("p", { class: "hint", i18n: "call.intro" }),
      h("div", { class: "row" }, startButton, stopButton, status),
      notice,
      result,
      view.el,
      recent,
    ),
  );
  let socket = null;
  let recorder = null;
  let microphone = null;

  function say(key, vars) {
    setI18n(status, key, vars);
  }

  async function start() {
    notice.hidden = result.hidden = true;
    try {
      microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      notice.replaceChildren(h("span", { i18n: "call.nomic" }));
      notice.hidden = false;
      return;
    }
    const webm = MediaRecorder.isTypeSupported("audio/webm;codecs=opus");
    const now = new Date();
    const title = `${t("call.title")} ${now.toISOString().slice(0, 10)} ${now.toTimeString().slice(0, 5)}`;
    const query = new URLSearchParams({ format: webm ? "webm" : "ogg", language: "fr", title });
    socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/call?${query}`);
    say("call.connecting");
    startButton.hidden = true;
    stopButton.hidden = false;
    socket.addEventListener("open", () => {
      recorder = new MediaRecorder(microphone, { mimeType: webm ? "audio/webm;codecs=opus" : "audio/ogg;codecs=opus" });
      recorder.addEventListener("dataavailable", (event) => {
        if (event.data.size && socket.readyState === WebSocket.OPEN) socket.send(event.data);
      });
      recorder.addEventListener("stop", () => {
        if (socket.readyState === WebSocket.OPEN) socket.send('{"type": "end"}');
      });
      recorder.start(250);
      say("call.listening");
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      releaseMicrophone();
      startButton.hidden = false;
      stopButton.hidden = true;
    });
  }

  function stop() {
    stopButton.hidden = true;
    say("call.ending");
    if (recorder && recorder.state !== "inactive") recorder.stop();
    else if (socket && socket.readyState === WebSocket.OPEN) socket.send('{"type": "end"}');
    releaseMicrophone();
  }

  function releaseMicrophone() {
    for (const track of microphone?.getTracks() || []) track.stop();
  }

  function receive(message) {
    if (message.type === "partial") view.setPartial(message.text);
    else if (message.type === "final") {
      view.addSegment(message);
      view.settle();
    } else if (message.type === "flag") view.provisionalFlag(message);
    else if (message.type === "guidance") view.showCpr(message.cpr);
    else if (message.type === "form") view.updateForm(message.form, message.changes, message);
    else if (message.type === "error") {
      if (message.code === "llm_unavailable") return say("call.llm.unavailable");
      notice.replaceChildren(h("span", { i18n: "call.error" }), " ", h("span", { class: "detail", lang: "en", text: `${message.message} — ${message.fix || ""}` }));
      notice.hidden = false;
    } else if (message.type === "end") {
      say("call.ended", { duration: formatTime(message.duration) });
      if (message.meeting_id) {
        result.replaceChildren(
          h("span", { i18n: "call.saved" }),
          " ",
          h("a", { href: `/meetings/${message.meeting_id}`, "data-link": "", i18n: "call.open" }),
          " · ",
          h("a", { href: `/meetings/${message.meeting_id}/call`, "data-link": "", i18n: "call.recent.open" }),
          " · ",
          h("a", { class: "button small", href: `/api/meetings/${message.meeting_id}/call/export`, download: "", i18n: "call.export" }),
        );
        result.hidden = false;
        listRecent();
      }
    }
  }

  async function listRecent() {
    let page;
    try {
      page = (await api.meetings({ limit: 10 })).data;
    } catch {
      return;
    }
    const done = page.items.filter((m) => m.status === "done");
    recent.replaceChildren(
      h("h2", { id: "cf-recent-title", i18n: "call.recent" }),
      h("p", { class: "hint", i18n: "call.recent.hint" }),
      done.length
        ? h(
            "ul",
            { class: "cf-recent-list" },
            done.map((m) =>
              h("li", {}, h("a", { href: `/meetings/${m.id}/call`, "data-link": "", text: m.title }), " ", h("time", { class: "hint", date: m.created })),
            ),
          )
        : h("p", { class: "hint", i18n: "call.recent.empty" }),
    );
  }
  listRecent();

  return () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    releaseMicrophone();
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close();
    view.destroy();
  };
}

// -- the case form of a recording --------------------------------------------------------------------
function renderRecordingCall(main, id) {
  const stops = [];
  let player = null;
  const view = createCallView({ onEvidence: (evidence) => player?.seek(evidence.start) });
  const head = h("header", { class: "cf-head" });
  const box = h("section", { class: "card cf-job", hidden: true, "aria-live": "polite" });
  const notice = h("p", { class: "error", role: "alert", hidden: true });
  const playerBar = h("div", { class: "player-bar" });
  const hub = h("section", { class: "card cf-hub", "aria-labelledby": "cf-hub-title", "aria-live": "polite", hidden: true });
  main.append(h("article", { class: "call" }, head, notice, box, hub, playerBar, view.el));

  // The case's SAMU-Hub messages (RS-EDA, RS-EDA-MAJ) and where each stands, followed until the
  // regulation software has answered them all.
  async function loadHub() {
    let rows;
    try {
      rows = (await request(`/api/meetings/${id}/call/hub`)).data;
    } catch {
      return;
    }
    hub.hidden = !rows.length;
    hub.replaceChildren(
      h("h2", { id: "cf-hub-title", i18n: "call.hub" }),
      h("ul", { class: "cf-hub-list" }, rows.map(hubMessage)),
    );
    if (rows.some((row) => row.state === "queued" || row.state === "sent")) {
      const timer = setTimeout(loadHub, 2000);
      stops.push(() => clearTimeout(timer));
    }
  }

  function hubMessage(row) {
    const problem = row.error
      ? h(
          "p",
          { class: row.state === "refused" ? "error" : "hint" },
          h("span", { class: "cf-hub-error", lang: "en", text: row.error }),
          row.fix ? h("span", { class: "cf-hub-fix" }, h("span", { i18n: "call.hub.fix" }), " ", h("span", { lang: "en", text: row.fix })) : "",
        )
      : "";
    return h(
      "li",
      { class: `cf-hub-message ${row.state}`, dataset: { state: row.state, id: row.distribution_id } },
      h("strong", { class: "cf-hub-state", i18n: `call.hub.${row.state}` }),
      " ",
      h("span", { i18n: row.kind === "Update" ? "call.hub.update" : "call.hub.report" }),
      " ",
      h("code", { text: row.distribution_id }),
      problem,
    );
  }

  function showError(error) {
    notice.replaceChildren(...describeError(error, "load"));
    notice.hidden = false;
  }

  async function loadForm() {
    try {
      const form = (await request(`/api/meetings/${id}/call`)).data;
      box.hidden = true;
      view.updateForm(form);
    } catch (error) {
      if (error.status === 404 && error.type === "not_found") return offerFill();
      if (error.type === "not_ready") {
        setI18n(box, "call.filling", { percent: "…" });
        box.hidden = false;
        const timer = setTimeout(loadForm, 2000);
        stops.push(() => clearTimeout(timer));
        return;
      }
      if (error.type === "call_failed") return offerFill(error);
      showError(error);
    }
  }

  function offerFill(failure = null) {
    const llm = h("input", { type: "checkbox", id: "cf-llm" });
    box.replaceChildren(
      failure ? h("p", { class: "error" }, h("span", { i18n: "call.failed" }), " ", h("span", { class: "detail", lang: "en", text: failure.message })) : h("p", { i18n: "call.none" }),
      h(
        "div",
        { class: "row" },
        h("button", { class: "button primary", i18n: "call.fill", onclick: () => fill(llm.checked) }),
        h("label", { class: "check", for: "cf-llm" }, llm, h("span", { i18n: "call.fill.llm" })),
      ),
    );
    box.hidden = false;
  }

  async function fill(llm) {
    let job;
    try {
      job = (await request(`/api/meetings/${id}/call`, { method: "POST", json: { llm } })).data;
    } catch (error) {
      return showError(error);
    }
    const label = h("p", { i18n: "call.filling", i18nVars: { percent: 0 } });
    box.replaceChildren(label);
    stops.push(
      followJob(job.id, (update) => {
        setI18n(label, "call.filling", { percent: Math.round((update.progress || 0) * 100) });
        if (update.state === "succeeded") loadForm();
        if (update.state === "failed") offerFill({ message: update.error || "" });
      }),
    );
  }

  async function start() {
    let meeting;
    try {
      meeting = (await api.meeting(id)).data;
    } catch (error) {
      return showError(error);
    }
    document.title = `${meeting.title} – ${t("call.title")} – Greffier`;
    head.replaceChildren(
      h("a", { href: "/calls", "data-link": "", class: "back", i18n: "call.back" }),
      h("h1", { text: meeting.title }),
      h(
        "p",
        { class: "row" },
        h("a", { href: `/meetings/${id}`, "data-link": "", i18n: "call.meeting" }),
        h("a", { class: "button small", href: `/api/meetings/${id}/call/export`, download: "", i18n: "call.export" }),
      ),
    );
    player = createPlayer(audioUrl(id), meeting.duration);
    playerBar.replaceChildren(player.el);
    try {
      view.setSegments((await api.transcript(id)).data.segments);
    } catch (error) {
      return showError(error);
    }
    await loadForm();
    await loadHub();
  }
  start();

  return () => {
    for (const stop of stops) stop();
    player?.destroy();
    view.destroy();
  };
}
