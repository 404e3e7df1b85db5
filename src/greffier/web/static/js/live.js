// The Live page: the microphone recorded in the browser (MediaRecorder, WebM/Opus chunks of 250 ms)
// and sent to /ws/stream with the sign-in cookie; partial text greyed as it is heard, finals with
// their time and speaker; at the end, the link to the meeting the server saved.
import { formatTime, h, setI18n } from "./dom.js";
import { lang, t } from "./i18n.js";
import { LANGUAGE_CHOICES } from "./meetings.js";
import { speakerInfo, speakerLabel } from "./speakers.js";

const CHUNK_MS = 250;
const FORMATS = [
  ["audio/webm;codecs=opus", "webm"],
  ["audio/ogg;codecs=opus", "ogg"], // Firefox
];
const TRY_AGAIN_LATER = 1013;

/** The server's error codes (the `error` message) -> what the page says. */
const SERVER_ERRORS = {
  server_busy: "live.error.busy",
  idle_timeout: "live.error.idle",
  authentication_error: "error.signedout",
  cross_site_request: "error.crosssite",
  internal_error: "live.error.server",
};

/** getUserMedia's refusals -> what the page says. */
const MICROPHONE_ERRORS = {
  NotAllowedError: "live.error.denied",
  SecurityError: "live.error.denied",
  NotFoundError: "live.error.nomic",
  OverconstrainedError: "live.error.nomic",
  NotReadableError: "live.error.micbusy",
  AbortError: "live.error.micbusy",
};

export function renderLive(main) {
  let session = null; // the running stream: {socket, recorder, media, started, ended, failed, cancelled}
  let finals = [];
  let clock = null;

  const title = h("input", { id: "live-title", type: "text", maxlength: 200, i18nAttrs: { placeholder: "live.title.placeholder" } });
  const language = h(
    "select",
    { id: "live-language" },
    LANGUAGE_CHOICES.map((code) => h("option", { value: code, i18n: code ? `language.${code}` : "language.auto" })),
  );
  language.value = lang();
  const startButton = h("button", { class: "button primary", type: "button", i18n: "live.start", onclick: start });
  const stopButton = h("button", { class: "button danger", type: "button", i18n: "live.stop", disabled: true, onclick: stop });
  const state = h("p", { class: "live-state", role: "status", dataset: { state: "idle" }, i18n: "live.state.idle" });
  const elapsed = h("span", { class: "live-clock num", "aria-hidden": "true", text: "" });
  const problem = h("p", { class: "error", role: "alert", hidden: true });
  const saved = h("p", { class: "live-saved", hidden: true });
  const list = h("div", { class: "segments live-finals", "aria-live": "polite", "aria-relevant": "additions" });
  const partial = h("p", { class: "text partial", "aria-hidden": "true" });
  const empty = h("p", { class: "hint live-empty", i18n: "live.empty" });

  main.append(
    h(
      "article",
      { class: "live" },
      h("h1", { i18n: "live.title" }),
      h("p", { class: "hint", i18n: "live.intro" }),
      h(
        "section",
        { class: "card live-controls" },
        h(
          "div",
          { class: "options" },
          h("div", { class: "field grow" }, h("label", { for: "live-title", i18n: "live.name" }), title),
          h("div", { class: "field" }, h("label", { for: "live-language", i18n: "upload.language" }), language),
          h("div", { class: "row live-buttons" }, startButton, stopButton, elapsed),
        ),
        state,
        problem,
        saved,
      ),
      h(
        "section",
        { class: "card transcript", "aria-labelledby": "live-transcript-title" },
        h("h2", { id: "live-transcript-title", i18n: "transcript.title" }),
        empty,
        list,
        partial,
      ),
    ),
  );

  function setState(key, vars = {}) {
    state.dataset.state = key;
    setI18n(state, `live.state.${key}`, vars);
  }

  function showProblem(key, detail = null, vars = {}) {
    problem.replaceChildren(h("span", { i18n: key, i18nVars: vars }));
    if (detail) problem.append(" ", h("span", { class: "detail", lang: "en", text: detail }));
    problem.hidden = false;
  }

  function setRunning(running) {
    startButton.disabled = running;
    stopButton.disabled = !running;
    title.disabled = language.disabled = running;
  }

  // -- start: the microphone, then the socket, then the recorder -----------------------------------
  async function start() {
    problem.hidden = saved.hidden = true;
    const format = FORMATS.find(([mime]) => window.MediaRecorder?.isTypeSupported(mime));
    if (!navigator.mediaDevices?.getUserMedia || !format) {
      showProblem("live.error.unsupported");
      return;
    }
    setRunning(true);
    setState("microphone");
    let media;
    try {
      media = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      setRunning(false);
      setState("idle");
      showProblem(MICROPHONE_ERRORS[error.name] || "live.error.microphone", error.message);
      startButton.focus();
      return;
    }
    finals = [];
    list.replaceChildren();
    partial.textContent = "";
    empty.hidden = false;
    setState("connecting");
    const query = new URLSearchParams({ format: format[1], identify: "true" }); // finals name known people
    if (language.value) query.set("language", language.value);
    query.set("title", title.value.trim() || t("live.title.default", { date: new Date().toLocaleString(lang(), { dateStyle: "medium", timeStyle: "short" }) }));
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws/stream?${query}`);
    const recorder = new MediaRecorder(media, { mimeType: format[0] });
    const current = { socket, recorder, media, started: 0, ended: false, failed: false, cancelled: false };
    session = current;
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size && socket.readyState === WebSocket.OPEN) socket.send(event.data);
    });
    recorder.addEventListener("stop", () => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "end" }));
    });
    socket.addEventListener("open", () => {
      if (session !== current || current.cancelled) return;
      recorder.start(CHUNK_MS);
      current.started = performance.now();
      setState("listening");
      clock = setInterval(tick, 500);
      tick();
      stopButton.focus();
    });
    socket.addEventListener("message", (event) => receive(current, JSON.parse(event.data)));
    socket.addEventListener("close", (event) => closed(current, event));
  }

  function tick() {
    if (session?.started) elapsed.textContent = formatTime((performance.now() - session.started) / 1000);
  }

  // -- stop: the recorder's last chunk, then {"type": "end"}; the server answers with `end` -----------
  function stop() {
    if (!session) return;
    stopButton.disabled = true;
    const current = session;
    if (!current.started) {
      // not recording yet (the socket still connecting): nothing to save
      current.cancelled = true;
      release(current);
      current.socket.close();
      return;
    }
    setState("finishing");
    release(current); // the recorder's "stop" sends {"type": "end"} after its last chunk
  }

  function release(current) {
    clearInterval(clock);
    if (current.recorder.state !== "inactive") current.recorder.stop();
    for (const track of current.media.getTracks()) track.stop();
  }

  // -- what the server says ------------------------------------------------------------------------
  function receive(current, message) {
    if (message.type === "partial") {
      partial.textContent = message.text;
    } else if (message.type === "final") {
      finals.push(message);
      empty.hidden = true;
      list.append(finalView(message));
      partial.textContent = "";
      partial.scrollIntoView({ block: "nearest" });
    } else if (message.type === "error") {
      if (message.fatal) current.failed = true;
      showProblem(SERVER_ERRORS[message.code] || "live.error.stream", message.fix ? `${message.message} (${message.fix})` : message.message);
    } else if (message.type === "end") {
      current.ended = true;
      partial.textContent = "";
      release(current);
      finished(message);
    }
  }

  function finalView(final) {
    const speaker = final.speaker ? speakerInfo({ speakers: [], segments: finals }).get(final.speaker) : null;
    return h(
      "div",
      { class: "segment final", dataset: { id: final.id, start: final.start }, style: speaker ? { "--speaker": speaker.colour } : {} },
      h("div", { class: "seg-head" }, h("span", { class: "seg-time num", text: formatTime(final.start) }), speaker && speakerLabel(final.person ? { ...speaker, name: final.person } : speaker)),
      h("p", { class: "text", text: final.text }),
    );
  }

  function finished(end) {
    setRunning(false);
    if (end.reason === "error" && !end.duration) {
      setState("idle");
      return;
    }
    setState("done", { duration: formatTime(end.duration), segments: end.segments });
    if (end.meeting_id) {
      const href = `/meetings/${end.meeting_id}`;
      saved.replaceChildren(
        h("a", { href, "data-link": "", class: "button primary", i18n: "live.open" }),
        " ",
        h("span", { class: "hint", i18n: "live.open.hint" }),
      );
      saved.hidden = false;
    }
  }

  function closed(current, event) {
    release(current);
    if (session === current) session = null;
    if (current.ended) return;
    setRunning(false);
    setState("idle");
    if (current.cancelled) return;
    if (event.code === TRY_AGAIN_LATER) showProblem("live.error.busy");
    else if (!current.failed) showProblem(current.started ? "live.error.disconnected" : "error.offline");
  }

  return () => {
    if (!session) return;
    const current = session;
    session = null;
    release(current);
    current.socket.close(); // leaving the page ends the stream; the server saves what it received
  };
}
