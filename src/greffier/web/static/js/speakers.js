// Speakers: a colour each (the same in the transcript, the timeline and the minutes), a name
// renamed in place (saved as a new version of the transcript).
import { describeError } from "./errors.js";
import { formatTime, h } from "./dom.js";

const PALETTE = ["#2563eb", "#c2410c", "#047857", "#be185d", "#7c3aed", "#0e7490", "#4d7c0f", "#b91c1c"];

/** Speaker id -> {name, colour, seconds}, in order of first appearance in the speakers list. */
export function speakerInfo(transcript) {
  const info = new Map();
  const add = (id, name, personId = null, score = null) => {
    if (!info.has(id)) info.set(id, { id, name: name || id, personId, score, colour: PALETTE[info.size % PALETTE.length], seconds: 0 });
  };
  for (const speaker of transcript.speakers) add(speaker.id, speaker.name, speaker.person_id, speaker.score);
  for (const segment of transcript.segments) {
    if (!segment.speaker) continue;
    add(segment.speaker);
    info.get(segment.speaker).seconds += segment.end - segment.start;
  }
  return info;
}

/** A coloured label for a speaker. */
export function speakerLabel(speaker) {
  return h("span", { class: "speaker", style: { "--speaker": speaker.colour }, text: speaker.name });
}

/** The speakers panel: one row per speaker, with a Rename button turning its name into a field, and
 * `extra(speaker)` after it (the person they are, "remember this voice"). */
export function renderSpeakers(container, speakers, { onRename, extra = () => null }) {
  container.replaceChildren(h("h2", { i18n: "speakers.title" }));
  if (!speakers.size) {
    container.append(h("p", { class: "hint", i18n: "speakers.none" }));
    return;
  }
  const list = h("ul", { class: "speakers" });
  for (const speaker of speakers.values()) list.append(speakerRow(speaker, onRename, extra));
  container.append(list);
}

function speakerRow(speaker, onRename, extra) {
  const row = h("li", { dataset: { speaker: speaker.id } });
  const show = () => {
    row.replaceChildren(
      h("span", { class: "swatch", style: { background: speaker.colour }, "aria-hidden": "true" }),
      h("span", { class: "name", text: speaker.name }),
      h("span", { class: "hint num", text: formatTime(speaker.seconds) }),
      h("button", {
        class: "link rename",
        i18n: "speakers.rename",
        i18nVars: { name: speaker.name },
        i18nAttrs: { "aria-label": "speakers.rename.label" },
        onclick: edit,
      }),
      extra(speaker),
    );
  };
  const edit = () => {
    const input = h("input", {
      type: "text",
      value: speaker.name,
      maxlength: 200,
      required: true,
      i18nAttrs: { "aria-label": "speakers.name" },
    });
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const form = h(
      "form",
      {
        class: "rename-form",
        onsubmit: async (event) => {
          event.preventDefault();
          const name = input.value.trim();
          if (!name || name === speaker.name) return show();
          form.inert = true;
          try {
            await onRename(speaker.id, name);
          } catch (problem) {
            form.inert = false;
            error.replaceChildren(...describeError(problem, "save"));
            error.hidden = false;
          }
        },
        onkeydown: (event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            show();
            row.querySelector("button").focus();
          }
        },
      },
      h("span", { class: "swatch", style: { background: speaker.colour }, "aria-hidden": "true" }),
      input,
      h("button", { class: "button small primary", i18n: "save" }),
      h("button", { type: "button", class: "button small", i18n: "cancel", onclick: show }),
      error,
    );
    row.replaceChildren(form);
    input.select();
  };
  show();
  return row;
}
