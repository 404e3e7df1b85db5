// The transcript: segments of words in time. The word being spoken is highlighted; a click on a word
// (or a segment's time) seeks; a segment is corrected in place (its text, its speaker).
import { describeError } from "./errors.js";
import { formatTime, h } from "./dom.js";
import { speakerLabel } from "./speakers.js";

/** Split a segment's text around its words: [[text before, word index], …, trailing text]. */
export function placeWords(text, words) {
  const pieces = [];
  let cursor = 0;
  words.forEach((word, index) => {
    const needle = word.text.trim();
    const at = needle ? text.indexOf(needle, cursor) : -1;
    if (at < 0) return; // a word the text no longer holds is not shown
    pieces.push({ before: text.slice(cursor, at), index, text: text.slice(at, at + needle.length) });
    cursor = at + needle.length;
  });
  return { pieces, rest: text.slice(cursor) };
}

/** The first index whose start is after `time` (binary search over sorted starts). */
function after(starts, time) {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const LINGER_S = 0.3; // a word stays lit this long after its end when silence follows

export function createTranscriptView({ onSeek, onCorrect }) {
  const el = h("div", { class: "segments" });
  let words = []; // {start, end, el, segment}
  let starts = [];
  let segments = new Map(); // id -> {segment, el}
  let litWord = null;
  let litSegment = null;
  let speakers = new Map();
  let following = true;

  el.addEventListener("click", (event) => {
    const word = event.target.closest(".w");
    if (word && !event.target.closest("form")) return onSeek(words[Number(word.dataset.i)].start);
    const time = event.target.closest(".seg-time");
    if (time) return onSeek(segments.get(Number(time.closest(".segment").dataset.id)).segment.start);
    const edit = event.target.closest(".seg-edit");
    if (edit) startEditing(Number(edit.closest(".segment").dataset.id));
  });
  el.addEventListener("dblclick", (event) => {
    const text = event.target.closest(".text");
    if (text) startEditing(Number(text.closest(".segment").dataset.id));
  });
  el.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.classList.contains("segment")) {
      event.preventDefault();
      onSeek(segments.get(Number(event.target.dataset.id)).segment.start);
    }
  });

  function segmentView(segment) {
    const speaker = segment.speaker ? speakers.get(segment.speaker) : null;
    const text = h("p", { class: "text" });
    const { pieces, rest } = placeWords(segment.text, segment.words || []);
    for (const piece of pieces) {
      const word = segment.words[piece.index];
      const span = h("span", { class: "w", dataset: { i: words.length }, text: piece.text });
      if (word.probability < 0.5) span.classList.add("unsure");
      words.push({ start: word.start, end: word.end, el: span, segment: segment.id });
      text.append(piece.before, span);
    }
    text.append(rest);
    return h(
      "div",
      {
        class: "segment",
        tabindex: 0,
        dataset: { id: segment.id, start: segment.start },
        style: speaker ? { "--speaker": speaker.colour } : {},
      },
      h(
        "div",
        { class: "seg-head" },
        h("button", {
          class: "link seg-time num",
          text: formatTime(segment.start),
          i18nAttrs: { "aria-label": "transcript.seek" },
          i18nVars: { time: formatTime(segment.start) },
        }),
        speaker && speakerLabel(speaker),
        h("button", { class: "link seg-edit", i18n: "transcript.correct", i18nAttrs: { title: "transcript.correct.hint" } }),
      ),
      text,
    );
  }

  function startEditing(id) {
    const { segment, el: box } = segments.get(id);
    if (box.querySelector("form")) return;
    const area = h("textarea", { rows: Math.max(2, Math.ceil(segment.text.length / 70)), i18nAttrs: { "aria-label": "transcript.text" } });
    area.value = segment.text;
    const choose =
      speakers.size &&
      h(
        "select",
        { i18nAttrs: { "aria-label": "transcript.speaker" } },
        [...speakers.values()].map((s) => h("option", { value: s.id, text: s.name, selected: s.id === segment.speaker })),
      );
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const text = box.querySelector(".text");
    const cancel = () => {
      form.remove();
      text.hidden = false;
      box.focus();
    };
    const form = h(
      "form",
      {
        class: "correct",
        onsubmit: async (event) => {
          event.preventDefault();
          const edit = { id };
          if (area.value.trim() !== segment.text.trim()) edit.text = area.value;
          if (choose && choose.value !== segment.speaker) edit.speaker = choose.value;
          if (!("text" in edit) && !("speaker" in edit)) return cancel();
          form.inert = true;
          try {
            await onCorrect(edit);
          } catch (problem) {
            form.inert = false;
            error.replaceChildren(...describeError(problem, "save"));
            error.hidden = false;
          }
        },
        onkeydown: (event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            cancel();
          } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            form.requestSubmit();
          }
        },
      },
      area,
      h(
        "div",
        { class: "row" },
        choose,
        h("span", { class: "hint", i18n: "transcript.correct.keys" }),
        h("span", { class: "spacer" }),
        h("button", { type: "button", class: "button small", i18n: "cancel", onclick: cancel }),
        h("button", { class: "button small primary", i18n: "save" }),
      ),
      error,
    );
    text.hidden = true;
    box.append(form);
    area.focus();
  }

  function light(time) {
    const index = after(starts, time + 0.02) - 1;
    let word = index >= 0 ? words[index] : null;
    if (word && time > word.end + LINGER_S) word = null;
    if (word !== litWord) {
      litWord?.el.classList.remove("current");
      word?.el.classList.add("current");
      litWord = word;
    }
    const segment = word ? segments.get(word.segment)?.el : null;
    if (segment && segment !== litSegment) {
      litSegment?.classList.remove("current");
      segment.classList.add("current");
      litSegment = segment;
      if (following) segment.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  return {
    el,
    render(transcript, speakerInfo) {
      speakers = speakerInfo;
      words = [];
      segments = new Map();
      litWord = litSegment = null;
      el.replaceChildren();
      if (!transcript.segments.length) el.append(h("p", { class: "hint", i18n: "transcript.empty" }));
      for (const segment of transcript.segments) {
        const view = segmentView(segment);
        segments.set(segment.id, { segment, el: view });
        el.append(view);
      }
      starts = words.map((w) => w.start);
    },
    setTime: light,
    setFollowing(value) {
      following = value;
    },
    focusSegment(id) {
      segments.get(id)?.el.focus();
    },
    /** Mark the words and segments inside [start, end] (a minutes item's evidence) and show them. */
    highlightSpan(start, end) {
      for (const old of el.querySelectorAll(".evidence")) old.classList.remove("evidence");
      let first = null;
      for (const { segment, el: view } of segments.values()) {
        if (segment.end > start && segment.start < end) {
          view.classList.add("evidence");
          first ??= view;
        }
      }
      first?.scrollIntoView({ block: "center", behavior: "smooth" });
      return first;
    },
  };
}
